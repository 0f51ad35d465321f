// Flush spans when the process ends, without changing how it ends.
//
// Listening to SIGTERM/SIGINT switches off Node's default "exit on signal". So when the app has no listener of its
// own, after the flush we remove ours and raise the signal again: the process dies of it exactly as it would have
// (exit status 128+n). When the app has its own listener, it decides (we only flush). `beforeExit` covers the
// event loop running dry. `process.exit()` cannot be waited for; spans still batched then are lost.
export interface Flushable {
  shutdown(): Promise<void>;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
export const FLUSH_TIMEOUT_MS = 5_000;

export function installShutdownHandlers(sdk: Flushable, onError: (error: unknown) => void): void {
  let flushing: Promise<void> | undefined;
  const flushOnce = (): Promise<void> => {
    flushing ??= new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, FLUSH_TIMEOUT_MS);
      timer.unref();
      sdk.shutdown().then(
        () => resolve(),
        (error: unknown) => {
          onError(error);
          resolve();
        },
      ).finally(() => clearTimeout(timer));
    });
    return flushing;
  };

  for (const signal of SIGNALS) {
    const onSignal = (): void => {
      const appHandlesSignal = process.listenerCount(signal) > 1;
      void flushOnce().then(() => {
        if (appHandlesSignal) return;
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      });
    };
    process.on(signal, onSignal);
  }
  process.once('beforeExit', () => {
    void flushOnce();
  });
}
