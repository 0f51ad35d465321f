// helm 4, helm 3 and kubectl from scripts/get-tools.sh (version-keyed cache outside the repo, fetched on first use).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const getToolsScript = fileURLToPath(new URL('../../scripts/get-tools.sh', import.meta.url));

export interface ChartTools {
  helm4: string;
  helm3: string;
  kubectl: string;
}

/** Parses the script's `NAME=path` lines. */
function parseToolPaths(output: string): Map<string, string> {
  const paths = new Map<string, string>();
  for (const line of output.split('\n')) {
    const match = /^([A-Z0-9]+)=(\S+)$/.exec(line.trim());
    if (match) paths.set(match[1]!, match[2]!);
  }
  return paths;
}

/** Runs the script (idempotent; building helm 3 on a cold Go cache takes minutes, later calls are instant). */
export async function chartTools(): Promise<ChartTools> {
  const { stdout } = await execFileAsync('bash', [getToolsScript], { maxBuffer: 1024 * 1024, timeout: 15 * 60_000 });
  const paths = parseToolPaths(stdout);
  const [helm4, helm3, kubectl] = ['HELM4', 'HELM3', 'KUBECTL'].map((name) => paths.get(name));
  if (!helm4 || !helm3 || !kubectl) throw new Error(`scripts/get-tools.sh printed no HELM4/HELM3/KUBECTL paths:\n${stdout}`);
  return { helm4, helm3, kubectl };
}
