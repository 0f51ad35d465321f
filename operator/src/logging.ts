import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/** The process's one structured logger: JSON lines, `{namespace, name, uid, operation}` fields added by callers. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { component: 'xray-operator' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ dest: 2, sync: false }),
  );
}
