// Runs a test app as a child process with the preload in NODE_OPTIONS, like an injected pod container.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { Env } from '../../../core/src/constants.js';
import { APPS_DIR, requireBuild } from './paths.js';

export interface AppResponse {
  readonly status: number;
  readonly body: string;
}

export interface RunningApp {
  readonly port: number;
  readonly output: () => string;
  get(path: string, headers?: Record<string, string>): Promise<AppResponse>;
  /** Sends the signal and resolves with how the process ended. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface AppOptions {
  readonly app: string;
  readonly env: Record<string, string>;
  readonly nodeBinary?: string;
  readonly preload?: boolean;
}

/** The env the injection engine gives an app container, pointed at local fakes. */
export function engineEnv(options: { otlpEndpoint: string; samplerEndpoint?: string; namespace?: string; service?: string }): Record<string, string> {
  const namespace = options.namespace ?? 'shop';
  return {
    [Env.serviceName]: options.service ?? 'checkout',
    [Env.resourceAttributes]: `k8s.namespace.name=${namespace},k8s.pod.name=checkout-7d9f-abcde,cloud.provider=aws,cloud.platform=aws_eks`,
    [Env.propagators]: 'baggage,xray,tracecontext',
    ...(options.samplerEndpoint
      ? { [Env.tracesSampler]: 'xray', [Env.tracesSamplerArg]: `endpoint=${options.samplerEndpoint},polling_interval=60` }
      : { [Env.tracesSampler]: 'parentbased_always_on' }),
    [Env.otlpEndpoint]: options.otlpEndpoint,
    [Env.otlpProtocol]: 'http/protobuf',
    [Env.metricsExporter]: 'none',
    [Env.logsExporter]: 'none',
    // Export batches quickly so tests do not wait the default 5 s.
    OTEL_BSP_SCHEDULE_DELAY: '100',
  };
}

export function httpGet(port: number, path: string, headers: Record<string, string> = {}): Promise<AppResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

function waitForPort(child: ChildProcess, output: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`App did not start within 20 s:\n${output()}`)), 20_000);
    child.stdout?.on('data', () => {
      const match = /listening (\d+)/.exec(output());
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`App exited before listening (code ${code}, signal ${signal}):\n${output()}`));
    });
  });
}

export async function startApp(options: AppOptions): Promise<RunningApp> {
  const loader = requireBuild();
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', ...options.env };
  if (options.preload !== false) env[Env.nodeOptions] = `--require ${loader}`;
  const child = spawn(options.nodeBinary ?? process.execPath, [join(APPS_DIR, options.app)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const port = await waitForPort(child, () => text);
  return {
    port,
    output: () => text,
    get: (path, headers) => httpGet(port, path, headers),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}
