// What the XRayTracing's export resolves to, and what its ExportReady condition says, from the user's choice and
// what the account told (or could not tell) the controller. Pure.
import type { CollectorMode, ExporterChoice, ExportMode } from '../api/types.js';

export type AccountExportState =
  | { known: true; destination: string; status: string; transactionSearch: boolean }
  | { known: false; reason: string; message: string };

export interface ExportDecision {
  mode: ExportMode;
  condition: { status: 'True' | 'False' | 'Unknown'; reason: string; message: string };
  /** Pods would lose their spans: Ready is False. */
  blocking: boolean;
}

const destinationText = (state: Extract<AccountExportState, { known: true }>): string => `${state.destination} (${state.status})`;

/** Who exports OTLP, as the condition names it, and what else the user can choose when the account refuses OTLP. */
interface OtlpExporter {
  subject: string;
  readyReason: string;
  remedy: string;
}

const COLLECTORS: OtlpExporter = { subject: 'Collectors export', readyReason: 'OTLPExporter', remedy: 'set collector.exporter to xray or auto' };
/**
 * Pods without a collector export OTLP whatever `exporter` says (auto included): there is no awsxray exporter to fall
 * back to.
 */
const PODS_WITHOUT_COLLECTOR: OtlpExporter = {
  subject: 'Pods without a collector (collector.mode none) export with their own credentials',
  readyReason: 'DirectOTLP',
  remedy: 'set collector.mode to sidecar',
};

/** X-Ray's OTLP endpoint refuses spans without Transaction Search: then Ready is False. */
function decideOtlpExport(account: AccountExportState | undefined, exporter: OtlpExporter): ExportDecision {
  const { subject, readyReason, remedy } = exporter;
  if (account?.known && !account.transactionSearch) {
    return {
      mode: 'otlp',
      blocking: true,
      condition: {
        status: 'False',
        reason: 'TransactionSearchInactive',
        message: `${subject} to X-Ray's OTLP endpoint, which needs Transaction Search, but the account's trace segment destination is ${destinationText(account)}: enable Transaction Search or ${remedy}`,
      },
    };
  }
  if (!account?.known) {
    return {
      mode: 'otlp',
      blocking: false,
      condition: { status: 'Unknown', reason: 'AccountStateUnknown', message: `${subject} to X-Ray's OTLP endpoint; whether Transaction Search is on is unknown: ${account?.message ?? 'not read yet'}` },
    };
  }
  return { mode: 'otlp', blocking: false, condition: { status: 'True', reason: readyReason, message: `${subject} to X-Ray's OTLP endpoint; Transaction Search is active` } };
}

/**
 * `previous` is the mode status recorded: auto keeps it while the account cannot be read, so a brief AWS outage does
 * not flip (and roll) every injected workload.
 */
export function decideAccountExport(
  choice: ExporterChoice,
  account: AccountExportState | undefined,
  previous?: ExportMode,
  collectorMode: CollectorMode = 'sidecar',
): ExportDecision {
  if (collectorMode === 'none') return decideOtlpExport(account, PODS_WITHOUT_COLLECTOR);
  if (choice === 'xray') {
    return { mode: 'xray', blocking: false, condition: { status: 'True', reason: 'XRayExporter', message: 'Collectors export with the awsxray exporter (PutTraceSegments)' } };
  }
  if (choice === 'otlp') return decideOtlpExport(account, COLLECTORS);
  if (!account?.known) {
    const mode = previous ?? 'xray';
    return {
      mode,
      blocking: false,
      condition: { status: 'False', reason: 'AccountStateUnknown', message: `Exporting with ${mode === 'otlp' ? 'otlphttp' : 'awsxray'} as before: the account's trace segment destination is unknown (${account?.message ?? 'not read yet'})` },
    };
  }
  return account.transactionSearch
    ? { mode: 'otlp', blocking: false, condition: { status: 'True', reason: 'AutoOTLP', message: "Transaction Search is active: collectors export to X-Ray's OTLP endpoint" } }
    : { mode: 'xray', blocking: false, condition: { status: 'True', reason: 'AutoXRay', message: `The account's trace segment destination is ${destinationText(account)}: collectors export with awsxray` } };
}
