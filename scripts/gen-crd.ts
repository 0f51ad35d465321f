// Writes the XRayTracing CRD generated from core/src/api/schema.ts. Usage: npm run gen:crd
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CRD_FILE, renderCrdYaml } from '../core/src/api/crd-yaml.js';

const target = fileURLToPath(new URL(`../${CRD_FILE}`, import.meta.url));
writeFileSync(target, renderCrdYaml());
console.log(`Wrote ${CRD_FILE}`);
