import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { resolveSpec } from '../api/defaults.js';
import type { XRayTracingSpec } from '../api/types.js';
import { LEGACY_RECEIVER_PROXY_PORT, REGION_FROM_ENV, renderCollectorConfig, renderCollectorConfigYaml } from './render.js';

const render = (spec: XRayTracingSpec) => renderCollectorConfig(resolveSpec(spec));

describe('renderCollectorConfig', () => {
  it('renders the default sidecar: otlp + legacy X-Ray receiver, awsproxy on TCP 2000, all on loopback', () => {
    const config = render({});
    expect(config.receivers.otlp.protocols).toEqual({ grpc: { endpoint: 'localhost:4317' }, http: { endpoint: 'localhost:4318' } });
    expect(config.receivers.awsxray).toEqual({
      endpoint: 'localhost:2000',
      transport: 'udp',
      proxy_server: { endpoint: `localhost:${LEGACY_RECEIVER_PROXY_PORT}`, region: REGION_FROM_ENV },
    });
    expect(config.extensions).toEqual({
      health_check: { endpoint: 'localhost:13133' },
      awsproxy: { endpoint: 'localhost:2000', region: REGION_FROM_ENV },
    });
    expect(config.processors).toEqual({ 'batch/traces': { timeout: '1s', send_batch_size: 50 } });
    expect(config.exporters).toEqual({ awsxray: { region: '${env:AWS_REGION}', indexed_attributes: [], index_all_attributes: false } });
    expect(config.service).toEqual({
      extensions: ['health_check', 'awsproxy'],
      pipelines: { traces: { receivers: ['otlp', 'awsxray'], processors: ['batch/traces'], exporters: ['awsxray'] } },
      telemetry: { logs: { level: 'info' }, metrics: { level: 'none' } },
    });
  });

  it('never binds the receiver proxy on the awsproxy TCP port', () => {
    const config = render({ collector: { legacyXRayReceiver: true } });
    expect(config.receivers.awsxray?.proxy_server.endpoint).not.toBe(config.extensions.awsproxy.endpoint);
  });

  const cases: { name: string; spec: XRayTracingSpec; check: (c: ReturnType<typeof render>) => void }[] = [
    {
      name: 'drops the awsxray receiver and its pipeline entry when legacyXRayReceiver is false',
      spec: { collector: { legacyXRayReceiver: false } },
      check: (c) => {
        expect(c.receivers.awsxray).toBeUndefined();
        expect(c.service.pipelines.traces.receivers).toEqual(['otlp']);
      },
    },
    {
      name: 'uses the CR region everywhere instead of the env reference',
      spec: { collector: { region: 'eu-west-1' } },
      check: (c) => {
        expect(c.exporters.awsxray!.region).toBe('eu-west-1');
        expect(c.extensions.awsproxy.region).toBe('eu-west-1');
        expect(c.receivers.awsxray?.proxy_server.region).toBe('eu-west-1');
      },
    },
    {
      name: 'points exporter, awsproxy and receiver proxy at awsEndpoint in local mode',
      spec: { collector: { awsEndpoint: 'http://127.0.0.1:4566' } },
      check: (c) => {
        expect(c.exporters.awsxray).toMatchObject({ endpoint: 'http://127.0.0.1:4566', local_mode: true });
        expect(c.extensions.awsproxy).toMatchObject({ aws_endpoint: 'http://127.0.0.1:4566', local_mode: true });
        expect(c.receivers.awsxray?.proxy_server).toMatchObject({ aws_endpoint: 'http://127.0.0.1:4566', local_mode: true });
      },
    },
    {
      name: 'passes indexed attributes and index-all through to the exporter',
      spec: { collector: { indexedAttributes: ['k8s.namespace.name', 'tenant'], indexAllAttributes: true } },
      check: (c) => {
        expect(c.exporters.awsxray!.indexed_attributes).toEqual(['k8s.namespace.name', 'tenant']);
        expect(c.exporters.awsxray!.index_all_attributes).toBe(true);
      },
    },
    {
      name: 'takes batch settings from the CR, defaulting the ones it omits',
      spec: { collector: { batch: { sendBatchSize: 512 } } },
      check: (c) => expect(c.processors['batch/traces']).toEqual({ timeout: '1s', send_batch_size: 512 }),
    },
    {
      name: 'adds the debug exporter to the pipeline and debug logs when debug is on',
      spec: { collector: { debug: true } },
      check: (c) => {
        expect(c.exporters.debug).toEqual({ verbosity: 'detailed' });
        expect(c.service.pipelines.traces.exporters).toEqual(['awsxray', 'debug']);
        expect(c.service.telemetry.logs.level).toBe('debug');
      },
    },
  ];
  it.each(cases)('$name', ({ spec, check }) => check(render(spec)));

  it('does not share arrays with the spec it was rendered from', () => {
    const spec = resolveSpec({ collector: { indexedAttributes: ['a'] } });
    renderCollectorConfig(spec).exporters.awsxray!.indexed_attributes.push('b');
    expect(spec.collector.indexedAttributes).toEqual(['a']);
  });
});

describe('renderCollectorConfigYaml', () => {
  const specs: XRayTracingSpec[] = [
    {},
    { collector: { legacyXRayReceiver: false, debug: true, region: 'us-east-2', awsEndpoint: 'http://localhost:5000' } },
    { collector: { indexedAttributes: ['a.b', 'c'], batch: { timeout: '5s', sendBatchSize: 8 } } },
  ];
  it.each(specs)('round-trips to the rendered object (%j)', (spec) => {
    const text = renderCollectorConfigYaml(resolveSpec(spec));
    expect(yaml.load(text)).toEqual(render(spec));
  });

  it('is byte-identical for equal specs and lists sections in collector order', () => {
    const a = renderCollectorConfigYaml(resolveSpec({ collector: { debug: true } }));
    const b = renderCollectorConfigYaml(resolveSpec({ collector: { debug: true } }));
    expect(a).toBe(b);
    const sections = a.split('\n').filter((line) => /^\S/.test(line));
    expect(sections).toEqual(['extensions:', 'receivers:', 'processors:', 'exporters:', 'service:']);
  });

  it('keeps the env reference for the region as a plain string the collector expands', () => {
    expect(renderCollectorConfigYaml(resolveSpec({}))).toContain('region: ${env:AWS_REGION}');
  });
});

describe('user strings in the collector config', () => {
  const secretPath = '/var/run/secrets/eks.amazonaws.com/serviceaccount/token';

  it('are written as literals: the collector reads $$ as $, so a ${file:…} in a user string never expands', () => {
    const config = renderCollectorConfigYaml(resolveSpec({ collector: { indexedAttributes: [`tenant-\${file:${secretPath}}`, 'plain'] } }));
    const exporter = (yaml.load(config) as { exporters: { awsxray: { indexed_attributes: string[] } } }).exporters.awsxray;
    expect(exporter.indexed_attributes).toEqual([`tenant-$\${file:${secretPath}}`, 'plain']);
    // What the collector makes of it: every `$$` is one literal `$`, and no `${` is left to expand.
    expect(exporter.indexed_attributes[0]!.replaceAll('$$', '')).not.toContain('${');
  });

  it("keep the operator's own expansion of the pod's AWS_REGION live", () => {
    expect(renderCollectorConfigYaml(resolveSpec({}))).toContain('region: ${env:AWS_REGION}');
  });
});

describe('the export modes', () => {
  const otlpCases: { name: string; spec: XRayTracingSpec; account?: 'otlp' | 'xray'; endpoint: string; region: string }[] = [
    { name: 'explicit otlp, region from the pod', spec: { collector: { exporter: 'otlp' } }, endpoint: 'https://xray.${env:AWS_REGION}.amazonaws.com/v1/traces', region: REGION_FROM_ENV },
    { name: 'explicit otlp, region from the CR', spec: { collector: { exporter: 'otlp', region: 'eu-west-1' } }, endpoint: 'https://xray.eu-west-1.amazonaws.com/v1/traces', region: 'eu-west-1' },
    { name: 'auto on an account with Transaction Search', spec: {}, account: 'otlp', endpoint: 'https://xray.${env:AWS_REGION}.amazonaws.com/v1/traces', region: REGION_FROM_ENV },
    { name: 'otlp under an endpoint override', spec: { collector: { exporter: 'otlp', awsEndpoint: 'http://127.0.0.1:4566/' } }, endpoint: 'http://127.0.0.1:4566/v1/traces', region: REGION_FROM_ENV },
  ];

  it.each(otlpCases)('$name: otlphttp with gzip, signed by sigv4auth (service xray), and nothing for awsxray', ({ spec, account, endpoint, region }) => {
    const config = renderCollectorConfig(resolveSpec(spec, {}, account));
    expect(config.exporters).toEqual({ otlphttp: { traces_endpoint: endpoint, compression: 'gzip', auth: { authenticator: 'sigv4auth' } } });
    expect(config.extensions.sigv4auth).toEqual({ region, service: 'xray' });
    expect(config.service.extensions).toEqual(['health_check', 'awsproxy', 'sigv4auth']);
    expect(config.service.pipelines.traces.exporters).toEqual(['otlphttp']);
    // Centralized sampling still goes through the sidecar's X-Ray proxy.
    expect(config.extensions.awsproxy.endpoint).toBe('localhost:2000');
  });

  it.each<[string, XRayTracingSpec, Parameters<typeof resolveSpec>[2]]>([
    ['explicit xray', { collector: { exporter: 'xray' } }, 'otlp'],
    ['auto before the account is known', {}, undefined],
    ['auto on an account without Transaction Search', {}, 'xray'],
  ])('%s: the awsxray exporter, exactly as before exporters could be chosen', (_name, spec, account) => {
    const config = renderCollectorConfig(resolveSpec(spec, {}, account));
    expect(config.exporters).toEqual({ awsxray: { region: REGION_FROM_ENV, indexed_attributes: [], index_all_attributes: false } });
    expect(config.extensions.sigv4auth).toBeUndefined();
    expect(renderCollectorConfigYaml(resolveSpec(spec, {}, account))).toBe(renderCollectorConfigYaml(resolveSpec({})));
  });
});
