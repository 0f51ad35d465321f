// Instrumentations constructed on first load of a module they patch, not at start. Constructing upstream's ~40
// instrumentations at start evaluated all their code and kept their objects and hooks for modules most apps never
// load (memory every app pays for); an Express service needs http, express and router. One require hook and one
// import hook watch the module names; the first load of one constructs and enables its instrumentation(s) before the
// module's exports reach the app, so the module is patched as if the instrumentation had been there from the start.
import type { TracerProvider } from '@opentelemetry/api';
import { diag } from '@opentelemetry/api';
import { InstrumentationBase, registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import { addHook } from 'import-in-the-middle';
import { importHooks } from 'import-in-the-middle/lib/register.js';
import { Hook } from 'require-in-the-middle';

export interface LazyInstrumentation {
  /** Its package, for diagnostics and the list of loaded instrumentations. */
  readonly pkg: string;
  /** Modules it patches: the first load of one constructs it. */
  readonly modules: readonly string[];
  /**
   * Modules that construct it on their first `require` (also from ESM, where a CommonJS package's own requires do)
   * without being patched by it, nor wrapped by the ESM hook. Both empty: constructed at start (undici, aws-lambda).
   */
  readonly requireTriggers?: readonly string[];
  readonly create: () => Instrumentation;
}

export interface LoadedInstrumentations {
  /** The modules instrumentations patch, for the ESM hook's include list. */
  readonly moduleNames: readonly string[];
  /** Packages of the instrumentations constructed so far, in order. */
  readonly loaded: readonly string[];
}

/** `express/lib/router/index.js` → `express`; `@smithy/core/dist/x.js` → `@smithy/core` (either separator). */
export function packageOf(moduleName: string): string {
  const parts = moduleName.split(/[\\/]/);
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? moduleName);
}

/**
 * Creates @opentelemetry/instrumentation's shared require hook, which patches each loaded file with the
 * instrumentations registered at the moment that file finishes loading. It must be installed after (so: around) our
 * own require hook: then an instrumentation our hook constructs while a module loads is already registered when the
 * shared hook looks at that same file. Without it, the first instrumentation constructed would create the shared hook
 * in the middle of a require that never passes through it, and that module would stay unpatched.
 */
class SharedRequireHookAnchor extends InstrumentationBase {
  constructor() {
    super('xray-operator-require-hook-anchor', '1', { enabled: false });
  }
  protected init(): [] {
    return [];
  }
}

export function startInstrumentations(instrumentations: readonly LazyInstrumentation[], tracerProvider: TracerProvider): LoadedInstrumentations {
  const loaded: string[] = [];
  const pending = new Map<string, LazyInstrumentation[]>();
  const triggers = (instrumentation: LazyInstrumentation): readonly string[] => [...instrumentation.modules, ...(instrumentation.requireTriggers ?? [])];
  for (const instrumentation of instrumentations) {
    for (const name of triggers(instrumentation)) pending.set(name, [...(pending.get(name) ?? []), instrumentation]);
  }
  const moduleNames = [...new Set(instrumentations.flatMap((instrumentation) => instrumentation.modules))];

  const construct = (instrumentation: LazyInstrumentation, trigger: string | undefined): void => {
    for (const name of triggers(instrumentation)) {
      const rest = pending.get(name)?.filter((other) => other !== instrumentation) ?? [];
      if (rest.length > 0) pending.set(name, rest);
      else pending.delete(name);
    }
    try {
      registerInstrumentations({ instrumentations: [instrumentation.create()], tracerProvider });
      loaded.push(instrumentation.pkg);
      diag.info(`Loaded instrumentation ${instrumentation.pkg}${trigger ? ` on first load of ${trigger}` : ''}`);
    } catch (error) {
      // As upstream's getNodeAutoInstrumentations: one broken instrumentation must not stop the app or the others.
      diag.error(`Instrumentation ${instrumentation.pkg} failed to start`, error);
    }
  };
  /** True when `name` had instrumentations waiting for it (now constructed). */
  const constructFor = (name: string): boolean => {
    const waiting = pending.get(name);
    if (!waiting) return false;
    for (const instrumentation of waiting) construct(instrumentation, name);
    return true;
  };

  if (pending.size > 0) {
    // internals: the first file of a package to finish loading is usually one of its own internal files, before the
    // files that require it (the package's main file among them), so those are all patched.
    const requireHook = new Hook([...pending.keys()], { internals: true }, (exports, name) => {
      if (!constructFor(name)) constructFor(packageOf(name));
      if (pending.size === 0) requireHook.unhook();
      return exports;
    });
    new SharedRequireHookAnchor();
    // ES modules (import-in-the-middle's loader hook wraps only these names, matched by specifier). Hooks added while
    // a module registers are not called for it by import-in-the-middle, so the new instrumentations' hooks are called
    // here, before the module's importers run.
    addHook((url, namespace, specifier, format) => {
      if (pending.size === 0 || specifier === undefined) return;
      const before = importHooks.length;
      if (!constructFor(specifier.startsWith('node:') ? specifier.slice(5) : specifier)) return;
      for (const hook of importHooks.slice(before)) hook(url, namespace, specifier, format);
    });
  }
  for (const instrumentation of instrumentations) if (triggers(instrumentation).length === 0) construct(instrumentation, undefined);
  return { moduleNames, loaded };
}
