/**
 * IPC channel names behind the preload API. Main registers a handler for exactly these, and the
 * preload invokes only these; one module keeps the two sides from drifting apart. Kept free of
 * imports so it can be bundled into both the (sandboxed) preload and main.
 */
export const IPC = {
  /** invoke → BackendReport of the engine process. */
  backend: 'gennerator:backend',
} as const;
