// Lists, as the operator reads them: one page at a time, by label or field.
import type { V1ListMeta } from '@kubernetes/client-node';
import type { KubeRest } from './request.js';

export interface ListParams {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  /** The continue token of the previous page (`_continue`, as client-node's types call it). */
  _continue?: string;
}

/**
 * GET a list. Its metadata carries the continue token as `_continue` too, the name client-node's V1ListMeta gives it
 * (`continue` is a JavaScript keyword), so the list types of client-node describe what comes back.
 */
export async function getList<L extends { metadata?: V1ListMeta }>(rest: KubeRest, path: string, params: ListParams = {}): Promise<L> {
  const { _continue, ...query } = params;
  const list = await rest.send<L & { metadata?: { continue?: string } }>({ method: 'GET', path, query: { ...query, continue: _continue } });
  if (list.metadata?.continue) list.metadata._continue = list.metadata.continue;
  return list;
}
