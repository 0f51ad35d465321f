// Creates, replaces and patches, with the parameters the operator sends.
import { jsonPatch, type PatchFlavour } from '../patch.js';
import type { KubeRest } from './request.js';

export interface WriteParams {
  /** Who owns the written fields (server-side apply and managedFields). */
  fieldManager?: string;
  /** Server-side apply only: take fields other managers own. */
  force?: boolean;
}

/** An object in a namespace. */
export interface Named {
  name: string;
  namespace: string;
}

/** A write into a namespace: the object (or patch) to send, and the write's parameters. */
export type BodyParams<B> = WriteParams & { namespace: string; body: B };

const writeQuery = ({ fieldManager, force }: WriteParams) => ({ fieldManager, force });

export function create<T>(rest: KubeRest, path: string, body: unknown, params: WriteParams = {}): Promise<T> {
  return rest.send<T>({ method: 'POST', path, body, query: writeQuery(params) });
}

export function replace<T>(rest: KubeRest, path: string, body: unknown, params: WriteParams = {}): Promise<T> {
  return rest.send<T>({ method: 'PUT', path, body, query: writeQuery(params) });
}

export function patch<T>(rest: KubeRest, path: string, body: unknown, params: WriteParams = {}, flavour: PatchFlavour = jsonPatch): Promise<T> {
  return rest.send<T>({ method: 'PATCH', path, body, query: writeQuery(params), contentType: flavour.contentType });
}
