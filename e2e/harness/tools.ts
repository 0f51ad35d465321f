// helm and kubectl for the scenarios, from scripts/get-tools.sh (the chart's own tool fetcher).
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './paths.js';

const execFileAsync = promisify(execFile);

export interface CliTools {
  helm: string;
  kubectl: string;
}

let cached: CliTools | undefined;

/** Runs scripts/get-tools.sh once per process (it is idempotent and fetches only what is missing). */
export function cliTools(): CliTools {
  if (cached) return cached;
  const output = execFileSync('bash', [join(repoRoot, 'scripts/get-tools.sh'), '--no-helm3'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const paths = new Map(output.trim().split('\n').map((line) => line.split('=', 2) as [string, string]));
  const helm = paths.get('HELM4');
  const kubectl = paths.get('KUBECTL');
  if (!helm || !kubectl) throw new Error(`scripts/get-tools.sh printed no HELM4/KUBECTL:\n${output}`);
  cached = { helm, kubectl };
  return cached;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
}

/** Runs a CLI with a kubeconfig; a failure carries the command's stderr. */
export async function runWithKubeconfig(binary: string, args: readonly string[], kubeconfigPath: string): Promise<CommandResult> {
  try {
    return await execFileAsync(binary, args, {
      env: { ...process.env, KUBECONFIG: kubeconfigPath, HELM_CACHE_HOME: join(kubeconfigPath, '..', 'helm-cache'), HELM_CONFIG_HOME: join(kubeconfigPath, '..', 'helm-config'), HELM_DATA_HOME: join(kubeconfigPath, '..', 'helm-data') },
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`${binary} ${args.join(' ')} failed: ${stderr}`, { cause: error });
  }
}
