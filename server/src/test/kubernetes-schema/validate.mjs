// Validates Kubernetes manifests against the API schemas bundled in kubernetes-models (Kubernetes)
// and @kubernetes-models/prometheus-operator (ServiceMonitor): field types, required fields, enums
// and formats. Unknown fields are not reported: those schemas allow them.
//
//   node validate.mjs FILE...     every YAML document of every file; one line per document;
//                                 exit 0 when all are valid, 1 otherwise
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

/** The module that holds the model of an apiVersion and kind, e.g. apps/v1 Deployment. */
function modelModule(apiVersion, kind) {
  if (apiVersion.startsWith("monitoring.coreos.com/")) {
    return `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`;
  }
  return `kubernetes-models/${apiVersion}/${kind}`;
}

let invalid = 0;
for (const file of process.argv.slice(2)) {
  for (const document of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (document.errors.length > 0) {
      console.log(`INVALID ${file}: YAML: ${document.errors.map((e) => e.message).join("; ")}`);
      invalid++;
      continue;
    }
    const manifest = document.toJS();
    if (manifest === null) {
      continue; // an empty document, e.g. after a trailing ---
    }
    const what = `${file}: ${manifest.apiVersion} ${manifest.kind} ${manifest.metadata?.name}`;
    let Model;
    try {
      Model = (await import(modelModule(manifest.apiVersion, manifest.kind)))[manifest.kind];
    } catch (e) {
      console.log(`INVALID ${what}: no schema for this apiVersion and kind (${e.code ?? e.message})`);
      invalid++;
      continue;
    }
    try {
      new Model(manifest).validate();
      console.log(`valid ${what}`);
    } catch (e) {
      console.log(`INVALID ${what}: ${e.message}`);
      invalid++;
    }
  }
}
process.exit(invalid === 0 ? 0 : 1);
