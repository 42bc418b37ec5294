/**
 * The typed API the preload exposes to the renderer as `window.gennerator`.
 * Included by tsconfig.web.json, so renderer code sees `window.gennerator` with these types.
 */
import type { BackendReport } from '../shared/backend';

export interface GenneratorApi {
  /** The engine's TensorFlow.js backend (name, device, probes); waits until it is initialised. */
  getBackend(): Promise<BackendReport>;
}

declare global {
  interface Window {
    /** Absent when the renderer is opened outside Electron (e.g. in a plain browser). */
    gennerator?: GenneratorApi;
  }
}
