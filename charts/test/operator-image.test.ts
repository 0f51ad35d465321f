// The operator image's Dockerfile agrees with the chart and the package (no Docker engine here to build it).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { V1Deployment } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { findObject, helm, parseManifests, templateArgs, valuesDir } from './helm.js';
import { chartTools } from './tools.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

const instructions = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
const finalStage = instructions.slice(instructions.map((instruction) => instruction.keyword).lastIndexOf('FROM'));
const argsOf = (keyword: string, stage = finalStage): string[] => stage.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);
const dockerignore = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
let deployment: V1Deployment;

beforeAll(async () => {
  const { helm4 } = await chartTools();
  const result = await helm(helm4, templateArgs([join(valuesDir, 'default.yaml')]));
  if (!result.ok) throw new Error(result.stderr);
  deployment = findObject(parseManifests(result.stdout), 'Deployment');
}, 15 * 60_000);

describe('the operator Dockerfile', () => {
  it('builds in a Node.js 20 stage and ships a distroless Node.js 20 nonroot image', () => {
    expect(instructions[0]).toEqual({ keyword: 'FROM', args: expect.stringMatching(/^node:20[-.\w]* AS build$/) as unknown });
    expect(finalStage[0]?.args).toBe('gcr.io/distroless/nodejs20-debian12:nonroot');
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { engines: { node: string }; scripts: Record<string, string> };
    expect(pkg.engines.node).toMatch(/^>=20\./);
    const buildRuns = argsOf('RUN', instructions.slice(0, instructions.indexOf(finalStage[0]!))).join(' ');
    expect(buildRuns).toContain('npm ci');
    expect(buildRuns).toContain('npm run build');
    expect(buildRuns).toContain('npm prune --omit=dev');
    expect(pkg.scripts.build).toBeDefined();
  });

  it('runs as the uid the chart sets (65532)', () => {
    const podSpec = deployment.spec!.template.spec!;
    expect(argsOf('USER')).toEqual([`${podSpec.securityContext!.runAsUser}:${podSpec.securityContext!.runAsGroup}`]);
    expect(podSpec.containers[0]!.securityContext!.runAsUser).toBe(65532);
  });

  it('exposes the container ports the chart declares', () => {
    const exposed = argsOf('EXPOSE').flatMap((args) => args.split(/\s+/)).map(Number).sort();
    const declared = deployment.spec!.template.spec!.containers[0]!.ports!.map((port) => port.containerPort).sort();
    expect(exposed).toEqual(declared);
  });

  it('starts the package bin with `run`, the subcommand the chart passes first', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    const binPath = pkg.bin['xray-operator']!;
    const execForm = (keyword: string): unknown => JSON.parse(argsOf(keyword)[0] ?? 'null');
    const entrypoint = execForm('ENTRYPOINT') as string[];
    expect(entrypoint[0]).toBe('/nodejs/bin/node');
    expect(entrypoint.at(-1)).toBe(`/app/${binPath}`);
    // Between them only Node.js/V8 flags (the memory tuning bench:controller measures).
    expect(entrypoint.slice(1, -1).every((arg) => arg.startsWith('--'))).toBe(true);
    expect(execForm('CMD')).toEqual(['run']);
    expect(deployment.spec!.template.spec!.containers[0]!.args![0]).toBe('run');
    // The launcher imports the compiled CLI from dist/, which the final stage copies.
    expect(readFileSync(join(repoRoot, binPath), 'utf8')).toMatch(/import '\.\.\/dist\//);
    expect(argsOf('COPY').some((args) => args.endsWith('/src/dist ./dist'))).toBe(true);
  });

  it('copies only sources that exist and that .dockerignore lets into the build context', () => {
    const contextSources = instructions
      .filter((instruction) => instruction.keyword === 'COPY' && !instruction.args.startsWith('--from'))
      .flatMap((instruction) => instruction.args.split(/\s+/).slice(0, -1));
    expect(contextSources.length).toBeGreaterThan(0);
    for (const source of contextSources) {
      expect(existsSync(join(repoRoot, source)), source).toBe(true);
      expect(dockerignore.filter((pattern) => pattern === source || pattern === source.split('/')[0]), source).toEqual([]);
    }
  });
});
