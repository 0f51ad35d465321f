// Reloads the serving certificate when its files change: `--tls-cert/--tls-key`, or a mounted Secret, which the
// kubelet updates by swapping a `..data` symlink in the directory (so watches on the files themselves go stale).
// We watch the directories, re-read both files on any event, and poll as well because fs.watch can miss events
// (network filesystems, a watched directory replaced, inotify limits).
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { checkTlsPair } from './pair.js';

export interface TlsFileWatchOptions {
  certFile: string;
  keyFile: string;
  /** What the server serves now; only different content is passed on. */
  current: { cert: string; key: string };
  /** Called with a matching pair whenever the files hold a new one. */
  onUpdate: (cert: string, key: string) => void;
  logger: Logger;
  pollIntervalMs?: number;
  /** Waits this long after a filesystem event, so the second file of a pair is usually written too. */
  debounceMs?: number;
}

export interface TlsFileWatcher {
  /** Re-reads the files now (also what events and polls do); resolves when done. */
  check(): Promise<void>;
  close(): void;
}

export function watchTlsFiles(options: TlsFileWatchOptions): TlsFileWatcher {
  const { certFile, keyFile, logger } = options;
  let applied = `${options.current.cert}\0${options.current.key}`;
  let lastIgnored = '';
  let running: Promise<void> | undefined;
  let rerun = false;
  let debounce: NodeJS.Timeout | undefined;
  let closed = false;

  async function readAndApply(): Promise<void> {
    let cert: string;
    let key: string;
    try {
      [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
    } catch (error) {
      // Mid-swap a file can be missing for a moment; the next event or poll sees the finished pair.
      logger.debug({ err: error, certFile, keyFile }, 'Could not read the TLS files, retrying later');
      return;
    }
    const content = `${cert}\0${key}`;
    if (content === applied || content === lastIgnored) return;
    let leaf: ReturnType<typeof checkTlsPair>;
    try {
      leaf = checkTlsPair({ cert, key });
    } catch (error) {
      lastIgnored = content;
      logger.warn({ err: error, certFile, keyFile }, 'Ignored TLS files that do not hold a matching certificate and key yet');
      return;
    }
    try {
      options.onUpdate(cert, key);
      applied = content;
      logger.info({ certFile, subject: leaf.subject, validTo: leaf.validTo, fingerprint: leaf.fingerprint256 }, 'Reloaded the TLS certificate');
    } catch (error) {
      lastIgnored = content;
      logger.error({ err: error, certFile }, 'Failed to serve the new TLS certificate, keeping the old one');
    }
  }

  function check(): Promise<void> {
    if (closed) return Promise.resolve();
    if (running) {
      rerun = true;
      return running;
    }
    running = (async () => {
      do {
        rerun = false;
        await readAndApply();
      } while (rerun && !closed);
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  function onEvent(): void {
    clearTimeout(debounce);
    debounce = setTimeout(() => void check(), options.debounceMs ?? 100);
    debounce.unref();
  }

  const watchers = new Map<string, FSWatcher>();
  function ensureWatchers(): void {
    for (const dir of new Set([dirname(certFile), dirname(keyFile)])) {
      if (watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, { persistent: false }, onEvent);
        watcher.on('error', (error) => {
          logger.debug({ err: error, dir }, 'Stopped watching a TLS directory, polling until it can be watched again');
          watcher.close();
          watchers.delete(dir);
        });
        watchers.set(dir, watcher);
      } catch (error) {
        logger.debug({ err: error, dir }, 'Could not watch a TLS directory, polling instead');
      }
    }
  }

  ensureWatchers();
  const poll = setInterval(() => {
    ensureWatchers();
    void check();
  }, options.pollIntervalMs ?? 10_000);
  poll.unref();

  return {
    check,
    close(): void {
      closed = true;
      clearInterval(poll);
      clearTimeout(debounce);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
