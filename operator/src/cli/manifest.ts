// Reading and writing the multi-document YAML the CLI works on.
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';

export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface ManifestDocument {
  source: string;
  index: number;
  object: ManifestObject;
}

export class ManifestError extends Error {
  override name = 'ManifestError';
}

/** Reads a file (`-` for stdin) as multi-document YAML; every document must be a Kubernetes object (or a List of them). */
export function readManifests(path: string, readStdin: () => string = () => readFileSync(0, 'utf8')): ManifestDocument[] {
  const source = path === '-' ? '<stdin>' : path;
  let text: string;
  try {
    text = path === '-' ? readStdin() : readFileSync(path, 'utf8');
  } catch (error) {
    throw new ManifestError(`Cannot read ${source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
  return parseManifests(text, source);
}

export function parseManifests(text: string, source: string): ManifestDocument[] {
  let documents: unknown[];
  try {
    documents = yaml.loadAll(text);
  } catch (error) {
    const reason = error instanceof yaml.YAMLException ? error.message.split('\n')[0] : String(error);
    throw new ManifestError(`${source} is not valid YAML: ${reason}`, { cause: error });
  }
  const result: ManifestDocument[] = [];
  documents.forEach((document, index) => {
    if (document === null || document === undefined) return;
    const where = `${source} document ${index + 1}`;
    if (typeof document !== 'object' || Array.isArray(document)) {
      throw new ManifestError(`${where} is not a Kubernetes object (expected a mapping with apiVersion and kind)`);
    }
    const object = document as Partial<ManifestObject>;
    if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
      throw new ManifestError(`${where} has no apiVersion/kind`);
    }
    if (object.kind === 'List' && Array.isArray(object.items)) {
      (object.items as unknown[]).forEach((item, itemIndex) => {
        result.push(...parseManifests(yaml.dump(item), `${where} item ${itemIndex + 1}`).map((d) => ({ ...d, source: where })));
      });
      return;
    }
    result.push({ source, index, object: object as ManifestObject });
  });
  return result;
}

export function dumpManifests(objects: readonly unknown[]): string {
  return objects.map((object) => yaml.dump(object, { noRefs: true, lineWidth: -1 })).join('---\n');
}

export function describeObject(object: ManifestObject): string {
  const namespace = object.metadata?.namespace ? `${object.metadata.namespace}/` : '';
  return `${object.kind} ${namespace}${object.metadata?.name ?? '<unnamed>'}`;
}
