// The loader every container --require's: it never breaks the app it is loaded into.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InstrumentationImagePaths } from '../../core/src/constants.js';
import { BUILD_DIR, requireBuild } from './support/paths.js';

/** Runs `before`, requires the loader like NODE_OPTIONS would, then the "app" prints a line. */
function runApp(loader: string, before = '', env: Record<string, string> = {}): { stdout: string; stderr: string; status: number | null } {
  const script = `${before}; require(${JSON.stringify(loader)}); console.log('app ran')`;
  const result = spawnSync(process.execPath, ['-e', script], {
    env: { PATH: process.env.PATH ?? '', OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

describe('autoinstrumentation.js', () => {
  it('prints one line and leaves the app alone on an unsupported Node.js', () => {
    const result = runApp(requireBuild(), `Object.defineProperty(process.versions, 'node', { value: '16.20.2' })`);
    expect(result).toEqual({
      stdout: 'app ran\n',
      stderr: '[xray-operator] Tracing is off: Node.js v16.20.2 is not supported (needs ^18.19.0 || >=20.6.0)\n',
      status: 0,
    });
  });

  it('reports a broken bundle in one stderr line instead of throwing into the app', () => {
    requireBuild();
    const copy = mkdtempSync(join(tmpdir(), 'xo-broken-'));
    try {
      cpSync(BUILD_DIR, copy, { recursive: true });
      for (const line of ['current', 'legacy']) writeFileSync(join(copy, line, 'sdk.js'), 'throw new Error("corrupt bundle")');
      const result = runApp(join(copy, InstrumentationImagePaths.loaderFile));
      expect(result).toEqual({
        stdout: 'app ran\n',
        stderr: '[xray-operator] Tracing is off: the preload failed to start: corrupt bundle\n',
        status: 0,
      });
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('stays out of package manager processes such as `npm start`, which start the app as a child', () => {
    const result = runApp(requireBuild(), `process.argv[1] = '/usr/bin/npm'`, { XRAY_OPERATOR_DEBUG: 'true' });
    expect(result).toEqual({ stdout: 'app ran\n', stderr: '', status: 0 });
  });

  it('starts tracing once even when required twice', () => {
    const loader = requireBuild();
    const result = runApp(loader, `require(${JSON.stringify(loader)})`, { XRAY_OPERATOR_DEBUG: 'true' });
    expect(result.stdout.endsWith('app ran\n')).toBe(true);
    expect(result.stderr.match(/Tracing started/g)).toHaveLength(1);
  });
});
