// The preload's own lines on stderr (the app's stdout stays the app's).
const PREFIX = '[xray-operator]';

export function writeLine(message: string): void {
  try {
    process.stderr.write(`${PREFIX} ${message}\n`);
  } catch {
    // stderr closed: nothing left to tell
  }
}
