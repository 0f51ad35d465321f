import { DEFAULT_COLLECTOR_IMAGE, DEFAULT_INSTRUMENTATION_IMAGE, NamespaceAnnotation } from '../constants.js';
import type { CollectorMode, ExporterChoice, ExportMode, ResolvedSpec, XRayTracingSpec } from './types.js';

/**
 * An explicit choice stands; auto follows the account, and is xray until the controller has seen the account. Pods
 * without a collector (mode none) can only export OTLP: the preload has no awsxray exporter.
 */
export function resolveExport(choice: ExporterChoice, accountExport: ExportMode | undefined, mode: CollectorMode): ExportMode {
  if (mode === 'none') return 'otlp';
  return choice === 'auto' ? (accountExport ?? 'xray') : choice;
}

/** Defaults for every optional field; an empty spec resolves to exactly this. */
export const DEFAULTS: ResolvedSpec = Object.freeze({
  serviceNaming: { labelKeys: ['app.kubernetes.io/name', 'app'], prefixWithNamespace: false },
  resourceAttributes: {},
  propagators: ['baggage', 'xray', 'tracecontext'],
  instrumentation: {
    image: DEFAULT_INSTRUMENTATION_IMAGE,
    imagePullPolicy: 'IfNotPresent',
    enabledInstrumentations: [],
    disabledInstrumentations: ['fs', 'dns'],
    resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '500m', memory: '64Mi' } },
    volumeSizeLimit: '64Mi',
    env: [],
    traceIds: 'xray',
    middlewareSpans: false,
  },
  collector: {
    mode: 'sidecar',
    image: DEFAULT_COLLECTOR_IMAGE,
    imagePullPolicy: 'IfNotPresent',
    nativeSidecar: true,
    resources: { requests: { cpu: '25m', memory: '64Mi' }, limits: { cpu: '250m', memory: '192Mi' } },
    indexedAttributes: [],
    indexAllAttributes: false,
    batch: { timeout: '1s', sendBatchSize: 50 },
    legacyXRayReceiver: true,
    debug: false,
    exporter: 'auto',
    export: 'xray',
  },
  sampling: { mode: 'centralized', fixedRate: 0.05, reservoirSize: 1, pollingIntervalSeconds: 60, rules: [] },
  rollout: {
    restartOnChange: true,
    maxConcurrent: 2,
    progressDeadlineSeconds: 600,
    rollback: { enabled: true, maxRestarts: 3, readinessTimeoutSeconds: 600 },
  },
  monitoring: { groups: [] },
});

/**
 * Installation-wide defaults the platform team sets once (Helm values → `xray-operator run` flags), for example images
 * mirrored to a private registry. An XRayTracing's own value still wins.
 */
export interface OperatorDefaults {
  instrumentationImage?: string;
  collectorImage?: string;
  /** X-Ray endpoints an XRayTracing may name (full match); unset: https, or http to loopback. */
  awsEndpointAllowPattern?: RegExp;
}

/**
 * Fills every default into a (validated) spec. `accountExport` is what the account supports (the XRayTracing's
 * status.exportMode, written by the controller): it decides `exporter: auto`. Pure; never mutates its input.
 */
export function resolveSpec(spec: XRayTracingSpec | undefined, operatorDefaults: OperatorDefaults = {}, accountExport?: ExportMode): ResolvedSpec {
  const s = spec ?? {};
  const d = DEFAULTS;
  return {
    serviceNaming: { ...d.serviceNaming, ...s.serviceNaming },
    resourceAttributes: { ...s.resourceAttributes },
    propagators: s.propagators?.length ? [...s.propagators] : [...d.propagators],
    instrumentation: {
      ...d.instrumentation,
      image: operatorDefaults.instrumentationImage ?? d.instrumentation.image,
      ...s.instrumentation,
      enabledInstrumentations: [...(s.instrumentation?.enabledInstrumentations ?? [])],
      // Enabling one of the default-disabled instrumentations (fs) must not be undone by the default disabled list.
      disabledInstrumentations: [
        ...(s.instrumentation?.disabledInstrumentations ??
          d.instrumentation.disabledInstrumentations.filter((name) => !s.instrumentation?.enabledInstrumentations?.includes(name))),
      ],
      resources: s.instrumentation?.resources ?? d.instrumentation.resources,
      env: [...(s.instrumentation?.env ?? [])],
    },
    collector: {
      ...d.collector,
      image: operatorDefaults.collectorImage ?? d.collector.image,
      ...s.collector,
      resources: s.collector?.resources ?? d.collector.resources,
      indexedAttributes: indexedAttributes(s),
      batch: { ...d.collector.batch, ...s.collector?.batch },
      export: resolveExport(s.collector?.exporter ?? d.collector.exporter, accountExport, s.collector?.mode ?? d.collector.mode),
    },
    sampling: { ...d.sampling, ...s.sampling, rules: [...(s.sampling?.rules ?? [])] },
    rollout: { ...d.rollout, ...s.rollout, rollback: { ...d.rollout.rollback, ...s.rollout?.rollback } },
    monitoring: { ...(s.monitoring?.defaultGroup ? { defaultGroup: s.monitoring.defaultGroup } : {}), groups: [...(s.monitoring?.groups ?? [])] },
  };
}

/** The user's indexed attributes, plus the namespace when the namespace's default group filters traces on it. */
function indexedAttributes(s: XRayTracingSpec): string[] {
  const own = s.collector?.indexedAttributes ?? [];
  const needed = s.monitoring?.defaultGroup !== undefined && !s.collector?.indexAllAttributes && !own.includes(NamespaceAnnotation.indexedAttribute);
  return needed ? [...own, NamespaceAnnotation.indexedAttribute] : [...own];
}
