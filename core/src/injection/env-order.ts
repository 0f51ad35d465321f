// Kubelet expands `$(VAR)` only from entries defined earlier in the list. The engine appends its variables after the
// user's; when a user entry (or a merged one) refers to one of ours, ours moves up to just before its first user.
import type { V1EnvVar } from '@kubernetes/client-node';

const REFERENCE = /\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g;

const NO_NAMES: ReadonlySet<string> = new Set();

/** Names a value refers to with `$(NAME)`, ignoring the `$$(…)` escape. */
export function referencedNames(value: string | undefined): ReadonlySet<string> {
  // Most values refer to nothing; skipping the regular expression (and a set) for them matters on the admission hot path.
  if (!value?.includes('$(')) return NO_NAMES;
  const names = new Set<string>();
  for (const match of value.matchAll(REFERENCE)) {
    const start = match.index;
    let dollars = 0;
    for (let i = start; i >= 0 && value[i] === '$'; i--) dollars++;
    if (dollars % 2 === 1 && match[1]) names.add(match[1]);
  }
  return names;
}

/**
 * Moves entries named in `movable` before the first entry that refers to them; every other entry keeps its
 * relative order. Moved entries' own references are then satisfied the same way (bounded: acyclic references
 * settle in at most n² moves; a cycle is left as it is).
 */
export function orderForReferences(env: readonly V1EnvVar[], movable: ReadonlySet<string>): V1EnvVar[] {
  const result = [...env];
  // Each value is scanned once; its references move with it.
  const references = result.map((entry) => referencedNames(entry.value));
  // Most envs refer to none of our variables: nothing to move, and no scan per entry.
  if (!references.some((names) => names.size > 0 && [...names].some((name) => movable.has(name)))) return result;
  const maxMoves = result.length * result.length;
  for (let moves = 0; moves < maxMoves; moves++) {
    const move = findMisplaced(result, references, movable);
    if (!move) break;
    moveItem(result, move);
    moveItem(references, move);
  }
  return result;
}

/** The first movable entry some earlier entry refers to, and that entry's index (where it moves to). */
function findMisplaced(env: readonly V1EnvVar[], references: readonly ReadonlySet<string>[], movable: ReadonlySet<string>): { from: number; to: number } | undefined {
  const firstReference = new Map<string, number>();
  references.forEach((names, index) => {
    for (const name of names) if (movable.has(name) && !firstReference.has(name)) firstReference.set(name, index);
  });
  for (let from = 0; from < env.length; from++) {
    const to = firstReference.get(env[from]?.name ?? '');
    if (to !== undefined && to < from) return { from, to };
  }
  return undefined;
}

function moveItem<T>(items: T[], { from, to }: { from: number; to: number }): void {
  const [item] = items.splice(from, 1);
  if (item !== undefined) items.splice(to, 0, item);
}
