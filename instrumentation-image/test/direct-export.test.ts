// Pods without a collector (collector.mode none): the built preload exports OTLP straight to X-Ray's endpoint and
// polls X-Ray's sampling API itself, both SigV4-signed with credentials from the AWS SDK's default chain (EKS Pod
// Identity's container endpoint on every Node.js runtime the preload supports; IRSA's web identity through STS on
// the oldest and this one).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIRECT_EXPORT, Env, SAMPLING_NAMESPACE_ATTRIBUTE } from '../../core/src/constants.js';
import { SIGNING_CHUNK } from '../src/aws-signing/types.js';
import { engineEnv, startApp, type RunningApp } from './support/app-runner.js';
import { extraNodeBinary, requireBuild } from './support/paths.js';
import { startPodIdentityFake, startStsFake, type CredentialSourceFake, type SessionCredentials } from './support/eks-credentials-fakes.js';
import { checkSigV4, type ReceivedRequest } from './support/sigv4-check.js';
import { SERVER } from './support/spans.js';
import { startXRayApiFake, type XRayApiFake } from './support/xray-api-fake.js';
import { startXRayProxyFake, type XRayProxyFake } from './support/xray-proxy-fake.js';

const REGION = 'eu-west-1';
let sampling: XRayProxyFake;
let xray: XRayApiFake;
let podIdentity: CredentialSourceFake;
let sts: CredentialSourceFake;

beforeAll(async () => {
  sampling = await startXRayProxyFake([
    { RuleName: 'shop-api', Priority: 1, FixedRate: 1, ReservoirSize: 0, URLPath: '/api*', Attributes: { [SAMPLING_NAMESPACE_ATTRIBUTE]: 'shop' } },
    { RuleName: 'health-off', Priority: 2, FixedRate: 0, ReservoirSize: 0, URLPath: '/health*' },
    { RuleName: 'Default', Priority: 10000, FixedRate: 1, ReservoirSize: 0 },
  ]);
  xray = await startXRayApiFake(sampling.endpoint);
  podIdentity = await startPodIdentityFake();
  sts = await startStsFake();
});
afterAll(async () => {
  await xray?.close();
  await sampling?.close();
  await podIdentity?.close();
  await sts?.close();
});

/** The env the engine writes for collector.mode none (with awsEndpoint pointing here), plus EKS's credential env. */
function directEnv(service: string, credentialEnv: Record<string, string> = podIdentity.env): Record<string, string> {
  const collectorEnv = engineEnv({ otlpEndpoint: 'http://127.0.0.1:9', service });
  delete collectorEnv[Env.otlpEndpoint];
  return {
    ...collectorEnv,
    [Env.tracesSampler]: 'xray',
    [Env.tracesSamplerArg]: 'polling_interval=60',
    [Env.exportMode]: DIRECT_EXPORT,
    [Env.xrayEndpoint]: xray.endpoint,
    AWS_REGION: REGION,
    AWS_EC2_METADATA_DISABLED: 'true',
    ...credentialEnv,
  };
}

const bySession = (request: ReceivedRequest, credentials: SessionCredentials = podIdentity.credentials): boolean =>
  request.headers['x-amz-security-token'] === credentials.sessionToken;

async function expectSignedByThePod(request: ReceivedRequest, credentials: SessionCredentials = podIdentity.credentials): Promise<void> {
  expect(bySession(request, credentials)).toBe(true);
  const signature = await checkSigV4(request, credentials);
  expect(signature).toMatchObject({ region: REGION, service: 'xray', valid: true });
  expect(signature.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-amz-security-token']));
}

/** The app, once its sampler has the rules (fetched, signed, from the stand-in). */
async function startDirectApp(service: string, binary: string | undefined, options: { credentialEnv?: Record<string, string>; app?: string } = {}): Promise<RunningApp> {
  const { credentialEnv, app: appFile = 'http-app.cjs' } = options;
  const rulesSeen = xray.requestsTo('/GetSamplingRules').length;
  const app = await startApp({ app: appFile, nodeBinary: binary, env: { ...directEnv(service, credentialEnv), DOWNSTREAM_URL: 'http://127.0.0.1:9' } });
  await xray.waitFor('a GetSamplingRules request', () => xray.requestsTo('/GetSamplingRules').length > rulesSeen);
  // The rules response is applied when it arrives; give it a moment after the request was seen.
  await new Promise((resolve) => setTimeout(resolve, 300));
  return app;
}

const RUNTIMES = [
  { version: 'this', binary: process.execPath },
  ...['18', '22.15.0', '22', '24'].map((version) => ({ version, binary: extraNodeBinary(version) })),
];

describe.each(RUNTIMES)('without a collector, on Node.js $version', ({ version, binary }) => {
  it.skipIf(!binary)('follows the sampling rules it fetched signed from X-Ray and exports the sampled spans signed to /v1/traces', async () => {
    const service = `direct-${version}`;
    const app = await startDirectApp(service, binary);
    try {
      for (let i = 0; i < 3; i++) {
        await app.get('/health');
        await app.get('/api/items');
      }
      await app.get('/other');
      const serverPaths = (): string[] => xray.spans.filter((s) => s.resource['service.name'] === service && s.kind === SERVER).map((s) => String(s.attributes['url.path']));
      await xray.waitFor('the /other span', () => serverPaths().includes('/other'));
      expect(serverPaths().filter((p) => p === '/api/items')).toHaveLength(3);
      expect(serverPaths()).not.toContain('/health');

      const traces = xray.requestsTo('/v1/traces').filter((request) => bySession(request));
      expect(traces.length).toBeGreaterThan(0);
      for (const request of traces) {
        expect(request.headers).toMatchObject({ 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
        await expectSignedByThePod(request);
      }
      await expectSignedByThePod(xray.requestsTo('/GetSamplingRules').at(-1)!);
      expect(podIdentity.served).toBeGreaterThan(0);
      expect(app.output()).not.toMatch(/error/i);
    } finally {
      await app.stop();
    }
  });
});

describe.each(RUNTIMES.filter((r) => r.version === 'this' || r.version === '18'))('without a collector, with IRSA, on Node.js $version', ({ version, binary }) => {
  it.skipIf(!binary)('signs with the role credentials STS gave for the web identity token, and adds no SDK warning to the app\'s output', async () => {
    const service = `irsa-${version}`;
    // hello-app: http-app's own AWS SDK client would print the SDK's Node.js version warning itself.
    const app = await startDirectApp(service, binary, { credentialEnv: sts.env, app: 'hello-app.cjs' });
    try {
      await app.get('/api/items');
      await xray.waitFor('the /api/items span', () => xray.spans.some((s) => s.resource['service.name'] === service));
      const traces = xray.requestsTo('/v1/traces').filter((r) => bySession(r, sts.credentials));
      expect(traces.length).toBeGreaterThan(0);
      for (const request of traces) await expectSignedByThePod(request, sts.credentials);
      expect(sts.served).toBeGreaterThan(0);
      expect(app.output()).not.toMatch(/warning/i);
    } finally {
      await app.stop();
    }
  });
});

describe('the direct sampler', () => {
  it('reports its statistics to X-Ray with signed SamplingTargets requests', async () => {
    const app = await startApp({ app: 'http-app.cjs', env: { ...directEnv('direct-targets'), DOWNSTREAM_URL: 'http://127.0.0.1:9' } });
    try {
      const targetsSeen = xray.requestsTo('/SamplingTargets').length;
      await app.get('/api/items');
      // The sampler's first target poll comes 10 s after it starts.
      const request = await xray.waitFor('a SamplingTargets request', () => xray.requestsTo('/SamplingTargets')[targetsSeen], 20_000);
      await expectSignedByThePod(request);
      const documents = (JSON.parse(request.body.toString('utf8')) as { SamplingStatisticsDocuments: { RuleName: string }[] }).SamplingStatisticsDocuments;
      expect(documents.map((d) => d.RuleName)).toContain('shop-api');
    } finally {
      await app.stop();
    }
  });
});

describe('the signing chunk', () => {
  /** The modules a short script with the preload loaded; the script must also end by itself. */
  const loadedModules = async (env: Record<string, string>): Promise<string[]> => {
    const script = 'setTimeout(() => console.log(JSON.stringify(Object.keys(require.cache))), 200)';
    const child = spawn(process.execPath, ['-e', script], { env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: `--require ${requireBuild()}`, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    expect(code, stderr).toBe(0);
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as string[];
  };

  it('is loaded by pods without a collector and by no others, and lets a short script end', async () => {
    const withCollector = engineEnv({ otlpEndpoint: 'http://127.0.0.1:9', samplerEndpoint: 'http://127.0.0.1:9' });
    expect((await loadedModules(withCollector)).some((path) => path.endsWith(`/${SIGNING_CHUNK}`))).toBe(false);
    expect((await loadedModules(directEnv('direct-chunk'))).some((path) => path.endsWith(`/${SIGNING_CHUNK}`))).toBe(true);
  });
});
