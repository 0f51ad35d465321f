// Which bundled OpenTelemetry line a Node.js version can run. Pure: the loader passes process.versions.node in.

/** A build directory under /autoinstrumentation, one per OpenTelemetry line. */
export type OtelLine = 'current' | 'legacy';

export const OTEL_LINES: readonly OtelLine[] = ['current', 'legacy'];

export interface NodeVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

export function parseNodeVersion(text: string): NodeVersion | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text);
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

function atLeast(v: NodeVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

/**
 * current = auto-instrumentations-node 0.82 / sdk-node 0.300 (engines >=22.15.0);
 * legacy = auto-instrumentations-node 0.81.2 / sdk-node 0.223 (engines ^18.19.0 || >=20.6.0).
 * Returns undefined for runtimes neither line supports (the loader then does nothing).
 */
export function selectOtelLine(v: NodeVersion): OtelLine | undefined {
  if (atLeast(v, 22, 15)) return 'current';
  if (v.major === 18 && v.minor >= 19) return 'legacy';
  if (v.major >= 20 && atLeast(v, 20, 6)) return 'legacy';
  return undefined;
}

export const SUPPORTED_RANGE = '^18.19.0 || >=20.6.0';
