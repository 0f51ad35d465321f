// import-in-the-middle ships no types for this dependency-free entry point.
declare module 'import-in-the-middle/supports-sync-hooks.mjs' {
  export function supportsSyncHooks(): boolean;
}

// The hook registry (lib/register.js, one file shared by sdk.js and hook.mjs): the hooks import-in-the-middle calls
// for each wrapped module, in order.
declare module 'import-in-the-middle/lib/register.js' {
  export const importHooks: ((url: string, namespace: object, specifier?: string, format?: string) => void)[];
}
