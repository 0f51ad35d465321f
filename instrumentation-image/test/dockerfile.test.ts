// The image layout the injection engine relies on (no Docker engine here: the Dockerfile is read, the build output
// inspected).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InjectedNames, InstrumentationImagePaths } from '../../core/src/constants.js';
import { SIGNING_CHUNK } from '../src/aws-signing/types.js';
import { BUILD_DIR, IMAGE_ROOT, requireBuild } from './support/paths.js';

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

function parseDockerfile(text: string): Instruction[][] {
  const stages: Instruction[][] = [];
  const logical = text.replace(/\\\n/g, ' ').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  for (const line of logical) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

const dockerfile = readFileSync(join(IMAGE_ROOT, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(dockerfile);
const finalStage = stages.at(-1)!;

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('instrumentation-image/Dockerfile', () => {
  it('builds with the same script as npm run build:instrumentation', () => {
    const rootScripts = (JSON.parse(readFileSync(join(IMAGE_ROOT, '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const script = rootScripts['build:instrumentation']!.split('&&')[0]!.trim().replace(/^node /, '');
    expect(stages[0]!.some((i) => i.keyword === 'RUN' && i.args.startsWith(`node ${script}`))).toBe(true);
  });

  it('puts the build output at the path the init container copies from, owned by and run as 65532', () => {
    const copy = finalStage.find((i) => i.keyword === 'COPY' && i.args.includes('--from=build'))!;
    const [source, destination] = copy.args.split(/\s+/).filter((a) => !a.startsWith('--')).slice(-2);
    expect(destination).toBe(InstrumentationImagePaths.sourceDir);
    expect(source).toBe('/src/instrumentation-image/build/autoinstrumentation');
    expect(copy.args).toContain('--chown=65532:65532');
    expect(finalStage.filter((i) => i.keyword === 'USER').at(-1)?.args).toBe('65532:65532');
    expect(finalStage[0]!.args).toMatch(/^busybox:[\d.]+-musl$/);
    expect(finalStage.find((i) => i.keyword === 'CMD')?.args).toBe(
      JSON.stringify(['cp', '-r', `${InstrumentationImagePaths.sourceDir}/.`, InjectedNames.mountPath]).replace(/,/g, ', '),
    );
  });

  it('copies into the build stage every input the build reads', () => {
    const copied = stages[0]!.filter((i) => i.keyword === 'COPY').flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const input of ['core/src/constants.ts', 'instrumentation-image/src', 'instrumentation-image/scripts', 'instrumentation-image/lines/current/package-lock.json', 'instrumentation-image/lines/legacy/package-lock.json']) {
      expect(copied).toContain(input);
      expect(existsSync(join(IMAGE_ROOT, '..', input))).toBe(true);
    }
  });
});

describe('build output (what /autoinstrumentation holds)', () => {
  it('has the loader, a bundle, ESM hook and hook registry per line, the instrumentation chunks and the signing chunk, within 8 MB in at most 10 files', () => {
    requireBuild();
    const files = listFiles(BUILD_DIR).map((f) => f.slice(BUILD_DIR.length + 1)).sort();
    expect(files).toEqual([
      InstrumentationImagePaths.loaderFile,
      SIGNING_CHUNK,
      'current/hook.mjs',
      'current/lib/register.js',
      'current/sdk.js',
      'instrumentations.chunks',
      'legacy/hook.mjs',
      'legacy/lib/register.js',
      'legacy/sdk.js',
      'package.json',
    ]);
    expect(files.length).toBeLessThanOrEqual(10);
    const bytes = files.reduce((sum, f) => sum + statSync(join(BUILD_DIR, f)).size, 0);
    expect(bytes).toBeLessThanOrEqual(8 * 1024 * 1024);
    expect(JSON.parse(readFileSync(join(BUILD_DIR, 'package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
  });
});
