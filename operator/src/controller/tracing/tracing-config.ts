// Validated config of each XRayTracing, computed once per generation: the reconcilers ask for it on every pass.
import type { OperatorDefaults } from '../../../../core/src/api/defaults.js';
import type { ResolvedSpec, XRayTracing } from '../../../../core/src/api/types.js';
import { validateXRayTracing, type FieldError } from '../../../../core/src/api/validate.js';
import { injectionConfigHash, type ClusterFacts } from '../../../../core/src/injection/index.js';

export type TracingConfig = { ok: true; spec: ResolvedSpec; configHash: string } | { ok: false; errors: FieldError[] };

export class TracingConfigs {
  private readonly byUid = new Map<string, { generation: number | undefined; exportMode: string | undefined; config: TracingConfig }>();

  constructor(
    private readonly facts: ClusterFacts,
    private readonly operatorDefaults: OperatorDefaults = {},
  ) {}

  of(tracing: XRayTracing): TracingConfig {
    const uid = tracing.metadata.uid ?? `${tracing.metadata.namespace}/${tracing.metadata.name}`;
    const cached = this.byUid.get(uid);
    // status.exportMode (what the account supports) resolves exporter: auto, so it is part of the key.
    const exportMode = tracing.status?.exportMode;
    if (cached && cached.generation === tracing.metadata.generation && cached.exportMode === exportMode && tracing.metadata.generation !== undefined) return cached.config;
    const result = validateXRayTracing(tracing, this.operatorDefaults);
    const config: TracingConfig = result.ok ? { ok: true, spec: result.spec, configHash: injectionConfigHash(result.spec, this.facts) } : { ok: false, errors: result.errors };
    this.byUid.set(uid, { generation: tracing.metadata.generation, exportMode, config });
    return config;
  }

  forget(uid: string | undefined): void {
    if (uid) this.byUid.delete(uid);
  }
}
