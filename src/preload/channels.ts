/**
 * IPC channel names behind the preload API. Main registers a handler for exactly these, and the
 * preload invokes only these; one module keeps the two sides from drifting apart. Kept free of
 * imports so it can be bundled into both the (sandboxed) preload and main.
 */
export const IPC = {
  /** invoke(method, params) → the result of one API call (src/shared/api.ts). */
  call: 'gennerator:call',
  /** main → renderer: a RunUpdate. */
  update: 'gennerator:update',
  /** main → renderer: a TuneUpdate (the second mode's jobs). */
  tuneUpdate: 'gennerator:tune-update',
} as const;
