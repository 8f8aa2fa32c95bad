package io.aggregationgateway.server.status;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The status page as one self-contained HTML document: inline CSS and a few lines of inline
 * script (the admin buttons), no external assets, so it works offline and needs no build step.
 * Every value is escaped by {@link Html#escape}; the response's Content-Security-Policy
 * ({@link #CONTENT_SECURITY_POLICY}) lets only this page's own style and script run, by hash, so
 * even markup that slipped through could not execute.
 */
final class StatusPage {
    /** Longest text the page shows of one value; the JSON API has it whole. */
    static final int MAX_SHOWN_CHARS = 1200;

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private static final String STYLE = """
            :root{--bg:#f5f6f8;--card:#fff;--text:#1c2330;--muted:#5d6978;--line:#e2e6ec;--soft:#eef1f5;\
            --accent:#2155c4;--danger:#b8322a;--danger-bg:#fdebe9;--ok:#1b7a42;--ok-bg:#e6f5ec;--type:#1d4fae;--type-bg:#e7eefc}
            @media (prefers-color-scheme:dark){:root{--bg:#13161b;--card:#1b1f26;--text:#e5e8ed;--muted:#98a3b3;\
            --line:#2b313b;--soft:#252a33;--accent:#7ea8ff;--danger:#ff8078;--danger-bg:#3a1f1e;--ok:#5ad17a;--ok-bg:#1c3324;\
            --type:#9dbcff;--type-bg:#1f2a44}}
            *{box-sizing:border-box}
            body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;\
            background:var(--bg);color:var(--text)}
            .wrap{max-width:1200px;margin:0 auto;padding:0 20px}
            header{background:var(--card);border-bottom:1px solid var(--line)}
            header .wrap{display:flex;flex-wrap:wrap;align-items:baseline;gap:6px 14px;padding-top:14px;padding-bottom:12px}
            h1{font-size:20px;margin:0}
            .version{color:var(--muted)}
            nav{margin-left:auto;display:flex;flex-wrap:wrap;gap:4px 14px}
            a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
            section{background:var(--card);border:1px solid var(--line);border-radius:8px;margin:16px 0;padding:14px 18px}
            h2{font-size:16px;margin:0 0 10px;display:flex;align-items:center;gap:8px}
            .count{font-size:12px;font-weight:600;color:var(--muted);background:var(--soft);border-radius:10px;padding:1px 8px}
            dl{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:10px;margin:0}
            dl div{border:1px solid var(--line);border-radius:6px;padding:8px 10px}
            dt{font-size:12px;color:var(--muted)}
            dd{margin:2px 0 0;font-size:15px;font-weight:600;overflow-wrap:anywhere}
            dd .ago{display:block;font-weight:400}
            dd time{white-space:normal}
            .scroll{overflow-x:auto}
            table{border-collapse:collapse;width:100%}
            th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}
            th{font-size:12px;color:var(--muted);font-weight:600;white-space:nowrap}
            tbody tr:last-child td{border-bottom:0}
            tbody tr:hover{background:var(--soft)}
            .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            code,.message,input{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
            code{background:var(--soft);padding:1px 5px;border-radius:4px;overflow-wrap:break-word}
            .message{white-space:pre-wrap;overflow-wrap:anywhere;min-width:30ch}
            .badge{display:inline-block;font-size:12px;padding:1px 8px;border-radius:10px;background:var(--soft);white-space:nowrap}
            .badge.reason{background:var(--danger-bg);color:var(--danger)}
            .badge.type{background:var(--type-bg);color:var(--type)}
            time{white-space:nowrap}
            .ago,.none,.note,.hint,.empty{color:var(--muted)}
            .ago{font-size:12px}
            td .ago{display:block}
            .note,.hint{font-size:12px;margin:8px 0 0}
            .empty{margin:0}
            button{font:inherit;font-size:13px;border-radius:6px;border:1px solid var(--line);background:var(--card);\
            color:var(--text);padding:3px 10px;cursor:pointer}
            button.danger{color:var(--danger);border-color:currentColor}
            button.danger:hover{background:var(--danger);border-color:var(--danger);color:#fff}
            form{margin-top:14px;padding-top:12px;border-top:1px dashed var(--line)}
            form label{display:block;font-weight:600;margin-bottom:6px}
            form .row{display:flex;align-items:center;gap:6px;flex-wrap:wrap}
            .prefix{color:var(--muted);font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
            input{padding:4px 8px;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--text);\
            min-width:300px}
            #action-result{padding:8px 12px;border-radius:6px;margin:16px 0 0;white-space:pre-wrap}
            #action-result.ok{background:var(--ok-bg);color:var(--ok)}
            #action-result.error{background:var(--danger-bg);color:var(--danger)}
            footer{color:var(--muted);font-size:12px;padding:0 20px 24px;text-align:center}
            """;

    // The admin buttons: each sends its request with fetch() to the route it names, after a
    // confirm(); on success the page reloads and shows the gateway's answer.
    private static final String SCRIPT = """
            (() => {
              const result = document.getElementById('action-result');
              const show = (text, ok) => { result.textContent = text; result.className = ok ? 'ok' : 'error'; result.hidden = false; };
              const kept = sessionStorage.getItem('gateway-action');
              if (kept !== null) { sessionStorage.removeItem('gateway-action'); show(kept, true); }
              async function send(method, path) {
                try {
                  const response = await fetch(path, { method, headers: { Accept: 'text/plain' } });
                  const text = (await response.text()).trim();
                  if (response.ok) {
                    sessionStorage.setItem('gateway-action', text || method + ' ' + path + ': done');
                    location.reload();
                  } else {
                    show(response.status + ': ' + text, false);
                  }
                } catch (error) {
                  show(method + ' ' + path + ' failed: ' + error, false);
                }
              }
              document.addEventListener('click', (event) => {
                const button = event.target.closest('button[data-method]');
                if (button && confirm(button.dataset.confirm)) send(button.dataset.method, button.dataset.path);
              });
              const form = document.getElementById('delete-group');
              if (form) form.addEventListener('submit', (event) => {
                event.preventDefault();
                const group = form.elements.group.value.trim().replace(/^\\/+|\\/+$/g, '').replace(/^metrics\\//, '');
                if (group && confirm('Delete every series carrying the grouping key ' + group + '?')) {
                  send('DELETE', 'metrics/' + group.split('/').map(encodeURIComponent).join('/'));
                }
              });
            })();
            """;

    /**
     * Only this page's own style and script run; requests go only to the gateway itself; the
     * page cannot be framed. The hashes are of {@link #STYLE} and {@link #SCRIPT} as sent.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; style-src '" + sha256(STYLE) + "'; script-src '"
            + sha256(SCRIPT) + "'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private StatusPage() {
    }

    /** The page for these sections; {@code now} is what relative times are measured from. */
    static String render(String version, List<Section> sections, Instant now) {
        StringBuilder html = new StringBuilder(16 * 1024);
        html.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>Aggregation Gateway status</title><link rel=\"icon\" href=\"data:,\">")
                .append("<style>").append(STYLE).append("</style></head>\n<body>\n<header><div class=\"wrap\">")
                .append("<h1>Aggregation Gateway</h1><span class=\"version\">").append(Html.escape(version)).append("</span><nav>");
        for (Section section : sections) {
            if (!section.key().equals(StatusReporter.GATEWAY)) {
                html.append("<a href=\"#").append(section.key()).append("\">").append(Html.escape(section.title())).append("</a>");
            }
        }
        html.append("<a href=\"api/v1/status\">JSON</a><a href=\"metrics\">Metrics</a></nav></div></header>\n")
                .append("<main class=\"wrap\">\n<p id=\"action-result\" role=\"status\" hidden></p>\n");
        for (Section section : sections) {
            section(html, section, now);
        }
        html.append("</main>\n<footer>Rendered ").append(TIME.format(now))
                .append(" · <a href=\"\">Refresh</a> · JSON: <a href=\"api/v1/status\">status</a>, ")
                .append("<a href=\"api/v1/families\">families</a>, <a href=\"api/v1/rejections\">rejections</a></footer>\n")
                .append("<script>").append(SCRIPT).append("</script>\n</body></html>\n");
        return html.toString();
    }

    private static void section(StringBuilder html, Section section, Instant now) {
        html.append("<section id=\"").append(section.key()).append("\"><h2>").append(Html.escape(section.title()));
        if (section.content() instanceof Section.Table table && !table.rows().isEmpty()) {
            html.append("<span class=\"count\">").append(String.format(Locale.ROOT, "%,d", table.rows().size())).append("</span>");
        }
        html.append("</h2>\n");
        switch (section.content()) {
            case Section.Facts facts -> facts(html, facts, now);
            case Section.Table table -> table(html, table, now);
        }
        if (section.key().equals(StatusReporter.FAMILIES)) {
            groupDeleteForm(html);
        }
        html.append("</section>\n");
    }

    private static void facts(StringBuilder html, Section.Facts facts, Instant now) {
        html.append("<dl>");
        for (Section.Fact fact : facts.facts()) {
            html.append("<div data-key=\"").append(fact.key()).append("\"><dt>").append(Html.escape(fact.label()))
                    .append("</dt><dd>");
            value(html, fact.value(), Section.Style.TEXT, "", now);
            html.append("</dd></div>");
        }
        html.append("</dl>\n");
    }

    private static void table(StringBuilder html, Section.Table table, Instant now) {
        if (table.rows().isEmpty()) {
            html.append("<p class=\"empty\">").append(Html.escape(table.whenEmpty())).append("</p>\n");
        } else {
            List<Section.Column> columns = table.columns();
            boolean[] numeric = new boolean[columns.size()];
            for (int i = 0; i < numeric.length; i++) {
                int column = i;
                numeric[i] = table.rows().stream().map(row -> row.cells().get(column))
                        .allMatch(cell -> cell == null || cell instanceof Number);
            }
            boolean actions = table.hasActions();
            html.append("<div class=\"scroll\"><table><thead><tr>");
            for (int i = 0; i < numeric.length; i++) {
                html.append(numeric[i] ? "<th class=\"num\">" : "<th>").append(Html.escape(columns.get(i).label())).append("</th>");
            }
            html.append(actions ? "<th></th>" : "").append("</tr></thead>\n<tbody>\n");
            for (Section.Row row : table.rows()) {
                html.append("<tr>");
                for (int i = 0; i < numeric.length; i++) {
                    html.append(numeric[i] ? "<td class=\"num\">" : "<td>");
                    value(html, row.cells().get(i), columns.get(i).style(), columns.get(i).key(), now);
                    html.append("</td>");
                }
                if (actions) {
                    html.append("<td>");
                    for (Section.Action action : row.actions()) {
                        html.append("<button type=\"button\" class=\"danger\" data-method=\"").append(Html.escape(action.method()))
                                .append("\" data-path=\"").append(Html.escape(action.path()))
                                .append("\" data-confirm=\"").append(Html.escape(action.confirm())).append("\">")
                                .append(Html.escape(action.label())).append("</button>");
                    }
                    html.append("</td>");
                }
                html.append("</tr>\n");
            }
            html.append("</tbody></table></div>\n");
        }
        if (table.note() != null) {
            html.append("<p class=\"note\">").append(Html.escape(table.note())).append("</p>\n");
        }
    }

    /** Deletes by grouping key through the existing {@code DELETE /metrics/job/...} route. */
    private static void groupDeleteForm(StringBuilder html) {
        html.append("""
                <form id="delete-group" autocomplete="off"><label for="group">Delete series by grouping key</label>\
                <div class="row"><span class="prefix">metrics/</span><input id="group" name="group" required \
                spellcheck="false" placeholder="job/checkout/zone/eu"><button type="submit" class="danger">Delete</button></div>\
                <p class="hint">Removes every series carrying all these labels, as DELETE /metrics/job/&lt;job&gt;{/&lt;label&gt;/&lt;value&gt;} \
                does; append @base64 to a name to give its value in URL-safe base64.</p></form>
                """);
    }

    private static void value(StringBuilder html, Object value, Section.Style style, String columnKey, Instant now) {
        switch (value) {
            case null -> html.append("<span class=\"none\">—</span>");
            case String s -> text(html, shown(s), style, columnKey);
            case Long n -> html.append(String.format(Locale.ROOT, "%,d", n));
            case Integer n -> html.append(String.format(Locale.ROOT, "%,d", n));
            case Double d -> html.append(Html.escape(rate(d)));
            case Boolean b -> html.append(b ? "yes" : "no");
            case Instant t -> html.append("<time datetime=\"").append(t).append("\">").append(TIME.format(t))
                    .append("</time> <span class=\"ago\">").append(Html.escape(relative(t, now))).append("</span>");
            case Duration d -> html.append(Html.escape(human(d)));
            default -> throw new IllegalArgumentException("unsupported status value type " + value.getClass().getName());
        }
    }

    private static void text(StringBuilder html, String s, Section.Style style, String columnKey) {
        String escaped = Html.escape(s);
        switch (style) {
            case TEXT -> html.append(escaped);
            case CODE -> html.append("<code>").append(escaped).append("</code>");
            case BADGE -> html.append("<span class=\"badge ").append(columnKey).append("\">").append(escaped).append("</span>");
            case MESSAGE -> html.append("<div class=\"message\">").append(escaped).append("</div>");
        }
    }

    private static String shown(String s) {
        if (s.length() <= MAX_SHOWN_CHARS) {
            return s;
        }
        int end = Character.isHighSurrogate(s.charAt(MAX_SHOWN_CHARS - 1)) ? MAX_SHOWN_CHARS - 1 : MAX_SHOWN_CHARS;
        return s.substring(0, end) + "… (" + (s.length() - end) + " more chars in the JSON API)";
    }

    /** A rate per minute for reading: two decimals while small, whole numbers once large. */
    static String rate(double perMinute) {
        if (perMinute == 0) {
            return "0";
        }
        if (perMinute < 0.01) {
            return "<0.01";
        }
        return perMinute < 100 ? String.format(Locale.ROOT, "%.2f", perMinute) : String.format(Locale.ROOT, "%,.0f", perMinute);
    }

    /** {@code 5 s ago}, {@code in 3 min 20 s}, {@code just now}. */
    static String relative(Instant time, Instant now) {
        Duration between = Duration.between(time, now);
        if (between.abs().toSeconds() == 0) {
            return between.isNegative() ? "in under a second" : "just now";
        }
        return between.isNegative() ? "in " + human(between.negated()) : human(between) + " ago";
    }

    /** The two largest units: {@code 42 s}, {@code 3 min 20 s}, {@code 5 h 2 min}, {@code 3 d 4 h}. */
    static String human(Duration duration) {
        long s = duration.toSeconds();
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return s / 60 + " min" + (s % 60 == 0 ? "" : " " + s % 60 + " s");
        }
        if (s < 86400) {
            return s / 3600 + " h" + (s % 3600 / 60 == 0 ? "" : " " + s % 3600 / 60 + " min");
        }
        return s / 86400 + " d" + (s % 86400 / 3600 == 0 ? "" : " " + s % 86400 / 3600 + " h");
    }

    private static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
