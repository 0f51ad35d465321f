import { describe, expect, it } from 'vitest';
import type { CollectorMode, ExporterChoice, ExportMode } from '../api/types.js';
import { decideAccountExport, type AccountExportState } from './export-decision.js';

const searchOn: AccountExportState = { known: true, destination: 'CloudWatchLogs', status: 'ACTIVE', transactionSearch: true };
const searchPending: AccountExportState = { known: true, destination: 'CloudWatchLogs', status: 'PENDING', transactionSearch: false };
const xrayOnly: AccountExportState = { known: true, destination: 'XRay', status: 'ACTIVE', transactionSearch: false };
const denied: AccountExportState = { known: false, reason: 'AccessDenied', message: 'Not allowed' };

describe('decideAccountExport', () => {
  it.each<[string, ExporterChoice, AccountExportState | undefined, ExportMode | undefined, ExportMode, string, string, boolean]>([
    ['explicit xray never asks', 'xray', undefined, undefined, 'xray', 'True', 'XRayExporter', false],
    ['otlp with Transaction Search', 'otlp', searchOn, undefined, 'otlp', 'True', 'OTLPExporter', false],
    ['otlp while Transaction Search is still pending: spans would be refused', 'otlp', searchPending, undefined, 'otlp', 'False', 'TransactionSearchInactive', true],
    ['otlp on an X-Ray-only account', 'otlp', xrayOnly, undefined, 'otlp', 'False', 'TransactionSearchInactive', true],
    ['otlp without permission to read the account', 'otlp', denied, undefined, 'otlp', 'Unknown', 'AccountStateUnknown', false],
    ['auto with Transaction Search', 'auto', searchOn, undefined, 'otlp', 'True', 'AutoOTLP', false],
    ['auto on an X-Ray-only account', 'auto', xrayOnly, 'otlp', 'xray', 'True', 'AutoXRay', false],
    ['auto without permission falls back to xray, with a warning', 'auto', denied, undefined, 'xray', 'False', 'AccountStateUnknown', false],
    ['auto keeps otlp through an outage instead of rolling every workload', 'auto', denied, 'otlp', 'otlp', 'False', 'AccountStateUnknown', false],
  ])('%s', (_name, choice, account, previous, mode, status, reason, blocking) => {
    const decision = decideAccountExport(choice, account, previous);
    expect(decision).toMatchObject({ mode, blocking, condition: { status, reason } });
    expect(decision.condition.message.length).toBeGreaterThan(20);
  });

  it.each<[string, ExporterChoice, AccountExportState | undefined, string, string, boolean]>([
    ['auto with Transaction Search', 'auto', searchOn, 'True', 'DirectOTLP', false],
    ['otlp with Transaction Search', 'otlp', searchOn, 'True', 'DirectOTLP', false],
    ['auto on an X-Ray-only account: nothing to fall back to, spans would be refused', 'auto', xrayOnly, 'False', 'TransactionSearchInactive', true],
    ['auto while Transaction Search is pending', 'auto', searchPending, 'False', 'TransactionSearchInactive', true],
    ['auto without permission to read the account', 'auto', denied, 'Unknown', 'AccountStateUnknown', false],
  ])('without a collector, %s', (_name, choice, account, status, reason, blocking) => {
    const collectorMode: CollectorMode = 'none';
    const decision = decideAccountExport(choice, account, 'xray', collectorMode);
    expect(decision).toMatchObject({ mode: 'otlp', blocking, condition: { status, reason } });
    expect(decision.condition.message).toContain('collector.mode none');
  });
});
