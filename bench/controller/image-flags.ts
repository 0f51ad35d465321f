// The Node.js flags the operator image starts the process with (the exec-form ENTRYPOINT of the Dockerfile's final
// stage, between the node binary and the launcher) and the final stage's ENV, so the benchmark measures the operator
// as it ships.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../e2e/harness/paths.js';

export function operatorImageNodeFlags(dockerfile = join(repoRoot, 'Dockerfile')): string[] {
  const entrypoints = readFileSync(dockerfile, 'utf8').split('\n').filter((line) => /^ENTRYPOINT\s/i.test(line.trim()));
  const last = entrypoints.at(-1);
  if (!last) throw new Error(`No ENTRYPOINT in ${dockerfile}`);
  const argv = JSON.parse(last.trim().replace(/^ENTRYPOINT\s+/i, '')) as unknown;
  if (!Array.isArray(argv) || !argv.every((arg) => typeof arg === 'string')) throw new Error(`ENTRYPOINT of ${dockerfile} is not in exec form`);
  const launcher = argv.findIndex((arg) => arg.endsWith('bin/xray-operator.js'));
  if (launcher < 1) throw new Error(`ENTRYPOINT of ${dockerfile} does not run bin/xray-operator.js with node`);
  return argv.slice(1, launcher);
}

/** `ENV KEY=value …` of the Dockerfile's final stage (the runtime image), e.g. the malloc tuning. */
export function operatorImageEnv(dockerfile = join(repoRoot, 'Dockerfile')): Record<string, string> {
  const lines = readFileSync(dockerfile, 'utf8').split('\n').map((line) => line.trim());
  const finalStage = lines.slice(lines.findLastIndex((line) => /^FROM\s/i.test(line)));
  const env: Record<string, string> = {};
  for (const line of finalStage.filter((l) => /^ENV\s/i.test(l))) {
    for (const pair of line.replace(/^ENV\s+/i, '').split(/\s+/)) {
      const [key, ...value] = pair.split('=');
      if (!key || value.length === 0) throw new Error(`ENV of ${dockerfile} is not in KEY=value form: ${line}`);
      env[key] = value.join('=');
    }
  }
  return env;
}
