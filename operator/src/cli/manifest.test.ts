import { describe, expect, it } from 'vitest';
import { ManifestError, dumpManifests, parseManifests } from './manifest.js';

describe('parseManifests', () => {
  it('reads every object of a multi-document file and skips empty documents', () => {
    const docs = parseManifests('apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\n', 'f.yaml');
    expect(docs.map((d) => `${d.object.kind}/${d.object.metadata?.name}`)).toEqual(['Pod/a', 'Deployment/b']);
  });

  it('unpacks List objects', () => {
    const docs = parseManifests('apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: a}}\n- {apiVersion: v1, kind: Pod, metadata: {name: b}}\n', 'f.yaml');
    expect(docs.map((d) => d.object.metadata?.name)).toEqual(['a', 'b']);
  });

  it('names the file and the YAML problem for malformed input', () => {
    expect(() => parseManifests('kind: [unclosed', 'bad.yaml')).toThrow(/^bad.yaml is not valid YAML: /);
  });

  it('names the document that is not a Kubernetes object', () => {
    expect(() => parseManifests('apiVersion: v1\nkind: Pod\n---\n- a\n- b\n', 'f.yaml')).toThrow(new ManifestError('f.yaml document 2 is not a Kubernetes object (expected a mapping with apiVersion and kind)'));
    expect(() => parseManifests('metadata: {name: x}\n', 'f.yaml')).toThrow('f.yaml document 1 has no apiVersion/kind');
  });

  it('round-trips through dumpManifests', () => {
    const objects = [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' } }, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b' } }];
    expect(parseManifests(dumpManifests(objects), 'x').map((d) => d.object)).toEqual(objects);
  });
});
