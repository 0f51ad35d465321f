import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Where the process's JSON lines go (stderr by default). Buffered: a write per line costs the webhook a thread-pool
 * round trip per review (a sixth of an uncached review's CPU in bench:webhook), so lines go out in writes of 4 KiB
 * or every 250 ms, whichever comes first; pino flushes what is left when the process exits.
 */
export function logDestination(dest: number | string = 2): DestinationStream {
  return pino.destination({ dest, sync: false, minLength: 4096, periodicFlush: 250 });
}

/** The process's one structured logger: JSON lines, `{namespace, name, uid, operation}` fields added by callers. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { component: 'xray-operator' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? logDestination(),
  );
}
