// containerd's task events (`ctr events`), for container times finer than the API's one-second timestamps: when
// each container's process started and exited.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface TaskEvents {
  /** When a container (`containerd://<id>` or bare id) started, ms since the epoch; undefined until seen. */
  startedAt(containerId: string): number | undefined;
  /** When its process exited, likewise. */
  exitedAt(containerId: string): number | undefined;
  stop(): void;
}

const bareId = (containerId: string): string => containerId.replace(/^containerd:\/\//, '');

// `2026-11-29 22:40:00.123456789 +0000 UTC k8s.io /tasks/exit {"container_id":"…",…}`
const EVENT = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)\.(\d+) \+0000 UTC (\S+) (\/tasks\/(?:start|exit)) (\{.*\})$/;

function eventTimeMs(date: string, time: string, fraction: string): number {
  // Sub-millisecond digits are kept as a fraction of a millisecond.
  return Date.parse(`${date}T${time}Z`) + Number(`0.${fraction}`) * 1000;
}

export function watchTaskEvents(containerdSocket: string): TaskEvents {
  const starts = new Map<string, number>();
  const exits = new Map<string, number>();
  const child: ChildProcess = spawn('ctr', ['--address', containerdSocket, 'events'], { stdio: ['ignore', 'pipe', 'ignore'] });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const match = EVENT.exec(line.trim());
    if (!match || match[4] !== 'k8s.io') return;
    const event = JSON.parse(match[6]!) as { container_id?: string; id?: string };
    // An exec's events carry its own id; only the container's init process counts.
    if (!event.container_id || (event.id && event.id !== event.container_id)) return;
    (match[5] === '/tasks/start' ? starts : exits).set(event.container_id, eventTimeMs(match[1]!, match[2]!, match[3]!));
  });
  return {
    startedAt: (containerId) => starts.get(bareId(containerId)),
    exitedAt: (containerId) => exits.get(bareId(containerId)),
    stop: () => {
      child.kill('SIGTERM');
    },
  };
}
