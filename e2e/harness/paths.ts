import { fileURLToPath } from 'node:url';

/** The repository root (e2e/harness/ is two levels down). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
