/**
 * Module resolution hook (node:module register) for the Electron stand-in: `electron`, imported by
 * the built main process, resolves to ./electron.mjs; everything else resolves as usual.
 */
const STAND_IN = new URL('./electron.mjs', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'electron' || specifier === 'electron/main') return { url: STAND_IN, shortCircuit: true };
  return nextResolve(specifier, context);
}
