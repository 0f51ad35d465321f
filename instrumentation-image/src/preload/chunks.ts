// Instrumentation code outside sdk.js: V8 keeps memory for every byte of source it compiles (measured ~9 MiB per MiB
// of bundle, lazily compiled functions included), so each instrumentation's code is a chunk of one file, read and
// compiled only when that instrumentation is constructed. Chunks share @opentelemetry/api, instrumentation, core and
// semantic-conventions with sdk.js (see scripts/build.mjs, buildChunks).
import { closeSync, openSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import { compileFunction } from 'node:vm';

export interface ChunkSource {
  readonly file: string;
  readonly sharedPrefix: string;
  readonly shared: Readonly<Record<string, () => unknown>>;
}

function readRange(file: string, [offset, length]: readonly [number, number]): string {
  const buffer = Buffer.alloc(length);
  const fd = openSync(file, 'r');
  try {
    let read = 0;
    while (read < length) {
      const bytes = readSync(fd, buffer, read, length - read, offset + read);
      if (bytes === 0) throw new Error(`${file} ends before byte ${offset + length}`);
      read += bytes;
    }
  } finally {
    closeSync(fd);
  }
  return buffer.toString('utf8');
}

/** Evaluates one CommonJS chunk and returns its module.exports. `name` shows in stack traces. */
export function loadChunk(source: ChunkSource, range: readonly [number, number], name: string): unknown {
  const chunkRequire = Object.assign(
    (id: string): unknown => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- chunks require Node.js built-ins by name
      if (!id.startsWith(source.sharedPrefix)) return require(id);
      const shared = source.shared[id.slice(source.sharedPrefix.length)];
      if (!shared) throw new Error(`${name}: no shared module ${id}`);
      return shared();
    },
    { resolve: require.resolve, cache: require.cache },
  );
  type Evaluate = (exports: unknown, require: unknown, module: { exports: unknown }, filename: string, dirname: string) => void;
  const evaluate = compileFunction(readRange(source.file, range), ['exports', 'require', 'module', '__filename', '__dirname'], {
    filename: `${source.file}/${name}`,
  }) as Evaluate;
  const module = { exports: {} as unknown };
  evaluate(module.exports, chunkRequire, module, source.file, dirname(source.file));
  return module.exports;
}
