import type { ResolvedSpec } from '../api/types.js';

/** The `Sampling` column of `kubectl get xrt`: `centralized (N rules)` or `local (ratio)`. */
export function samplingSummary(spec: ResolvedSpec): string {
  if (spec.sampling.mode === 'local') return `local (${spec.sampling.fixedRate})`;
  const count = spec.sampling.rules.length;
  return `centralized (${count} ${count === 1 ? 'rule' : 'rules'} + namespace default ${spec.sampling.fixedRate})`;
}
