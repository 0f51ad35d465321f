// <line>/hook.mjs: import-in-the-middle's loader hook, bundled into one ES module. Its wrappers import
// `lib/register.js` next to this file, the same file the SDK bundle requires, so both share one hook registry.
export { initialize, load, resolve } from 'import-in-the-middle/hook.mjs';
export { register as registerSync } from 'import-in-the-middle/register-hooks.mjs';
