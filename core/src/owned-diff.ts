// How the objects an owner wants in AWS (sampling rules, X-Ray groups, CloudWatch alarms) pair up with what AWS holds.
// Objects are matched by name; only those whose tags say they are this owner's may be changed or deleted.

export interface OwnedDiff<W, H> {
  /** Wanted and held by this owner: compare them. */
  pairs: { wanted: W; held: H }[];
  /** Held by this owner and no longer wanted: delete them. */
  unwanted: H[];
  /** Wanted and not held by anyone: create them. */
  missing: W[];
  /** Wanted names held by someone else (or reserved): never touched, reported. */
  conflicts: string[];
}

/** Pairs `wanted` (by name) with `held` (owned: ours by tags; foreign: anything else under a name we might want). */
export function diffOwned<W, H>(
  wanted: ReadonlyMap<string, W>,
  owned: ReadonlyMap<string, H>,
  foreignNames: ReadonlySet<string>,
  reserved?: string,
): OwnedDiff<W, H> {
  const diff: OwnedDiff<W, H> = { pairs: [], unwanted: [], missing: [], conflicts: [] };
  for (const [name, held] of owned) {
    const target = wanted.get(name);
    if (target === undefined) diff.unwanted.push(held);
    else diff.pairs.push({ wanted: target, held });
  }
  for (const [name, target] of wanted) {
    if (owned.has(name)) continue;
    if (foreignNames.has(name) || name === reserved) diff.conflicts.push(name);
    else diff.missing.push(target);
  }
  return diff;
}
