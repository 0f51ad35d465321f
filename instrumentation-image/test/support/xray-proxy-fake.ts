// A local fake of the sidecar's X-Ray sampling proxy (awsproxy): serves fixed sampling rules and targets.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRule {
  readonly RuleName: string;
  readonly Priority: number;
  readonly FixedRate: number;
  readonly ReservoirSize: number;
  readonly URLPath?: string;
  readonly ServiceName?: string;
  readonly Attributes?: Record<string, string>;
}

export interface XRayProxyFake {
  readonly endpoint: string;
  readonly ruleRequests: number;
  readonly targetRequests: unknown[];
  waitForRuleRequest(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

function record(rule: FakeRule): unknown {
  return {
    SamplingRule: {
      RuleName: rule.RuleName,
      RuleARN: `arn:aws:xray:us-east-1:123456789012:sampling-rule/${rule.RuleName}`,
      ResourceARN: '*',
      Priority: rule.Priority,
      FixedRate: rule.FixedRate,
      ReservoirSize: rule.ReservoirSize,
      ServiceName: rule.ServiceName ?? '*',
      ServiceType: '*',
      Host: '*',
      HTTPMethod: '*',
      URLPath: rule.URLPath ?? '*',
      Version: 1,
      Attributes: rule.Attributes ?? {},
    },
    CreatedAt: 1_700_000_000,
    ModifiedAt: 1_700_000_000,
  };
}

export async function startXRayProxyFake(rules: readonly FakeRule[]): Promise<XRayProxyFake> {
  let ruleRequests = 0;
  const targetRequests: unknown[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.method === 'POST' && req.url === '/GetSamplingRules') {
        ruleRequests++;
        res.end(JSON.stringify({ SamplingRuleRecords: rules.map(record) }));
      } else if (req.method === 'POST' && req.url === '/SamplingTargets') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { SamplingStatisticsDocuments?: { RuleName: string }[] };
        targetRequests.push(body);
        const now = Date.now() / 1000;
        res.end(JSON.stringify({
          SamplingTargetDocuments: (body.SamplingStatisticsDocuments ?? []).map((doc) => {
            const rule = rules.find((r) => r.RuleName === doc.RuleName);
            return { RuleName: doc.RuleName, FixedRate: rule?.FixedRate ?? 0, ReservoirQuota: rule?.ReservoirSize ?? 0, ReservoirQuotaTTL: now + 60, Interval: 10 };
          }),
          LastRuleModification: 1_700_000_000,
          UnprocessedStatistics: [],
        }));
      } else {
        res.writeHead(404).end('{}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get ruleRequests() {
      return ruleRequests;
    },
    targetRequests,
    async waitForRuleRequest(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (ruleRequests === 0) {
        if (Date.now() > deadline) throw new Error('The preload never asked the sampling proxy for rules');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
