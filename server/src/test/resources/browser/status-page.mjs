// Loads the gateway's status page in Debian's Chromium, reads what it shows, takes a screenshot,
// then uses its admin actions: deletes one family with its button and one grouping key with the
// form. Prints what it saw as one JSON object; StatusPageBrowserTest checks it.
//
// usage: node status-page.mjs BASE_URL SCREENSHOT_PNG PROFILE_DIR FAMILY_TO_DELETE GROUPING_KEY_TO_DELETE
import { chromium } from 'playwright-core';

const [baseUrl, screenshot, profile, familyToDelete, groupToDelete] = process.argv.slice(2);
const seen = { dialogs: [], pageErrors: [], consoleErrors: [], requestsElsewhere: [] };

const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = context.pages()[0] ?? await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('dialog', (dialog) => {
    seen.dialogs.push({ type: dialog.type(), message: dialog.message() });
    dialog.accept();
  });
  page.on('pageerror', (error) => seen.pageErrors.push(String(error)));
  page.on('console', (message) => { if (message.type() === 'error') seen.consoleErrors.push(message.text()); });
  page.on('request', (request) => {
    if (!request.url().startsWith(baseUrl) && !request.url().startsWith('data:')) seen.requestsElsewhere.push(request.url());
  });

  const read = async () => ({
    title: await page.title(),
    heading: await page.locator('h1').innerText(),
    version: await page.locator('header .version').innerText(),
    facts: Object.fromEntries(await page.locator('#gateway dl > div').evaluateAll((tiles) =>
      tiles.map((tile) => [tile.dataset.key, tile.querySelector('dd').innerText]))),
    families: await page.locator('#families tbody tr').evaluateAll((rows) => rows.map((row) => {
      const cells = [...row.querySelectorAll('td')].map((cell) => cell.innerText.trim());
      return { name: cells[0], type: cells[1], series: cells[2], help: cells[4] };
    })),
    rejections: await page.locator('#recentRejections tbody tr').evaluateAll((rows) => rows.map((row) => {
      const cells = [...row.querySelectorAll('td')].map((cell) => cell.innerText.trim());
      return { client: cells[1], route: cells[2], format: cells[3], reason: cells[4], message: cells[5] };
    })),
    nextReset: await page.locator('#reset [data-key="nextReset"] dd').innerText(),
    actionResult: await page.locator('#action-result').evaluate((p) => (p.hidden ? null : { text: p.innerText, kind: p.className })),
    scripts: await page.locator('script').count(),
    images: await page.locator('img').count(),
  });

  const response = await page.goto(baseUrl + '/', { waitUntil: 'load' });
  seen.status = response.status();
  seen.before = await read();
  await page.screenshot({ path: screenshot, fullPage: true });

  // the family's Delete button: confirm, fetch DELETE, reload
  await Promise.all([
    page.waitForEvent('load'),
    page.locator(`#families button[data-path="api/v1/families/${familyToDelete}"]`).click(),
  ]);
  seen.afterFamilyDelete = await read();

  // the grouping-key form: DELETE metrics/<key>
  await page.locator('#group').fill(groupToDelete);
  await Promise.all([
    page.waitForEvent('load'),
    page.locator('#delete-group button[type="submit"]').click(),
  ]);
  seen.afterGroupDelete = await read();
} finally {
  await context.close();
}
process.stdout.write(JSON.stringify(seen) + '\n');
