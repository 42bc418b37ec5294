/**
 * The typed API the preload exposes to the renderer as `window.gennerator`.
 * Included by tsconfig.web.json, so renderer code sees `window.gennerator` with these types.
 */
import type { GenneratorApi } from '../shared/api';

declare global {
  interface Window {
    /** Present in the desktop app; absent in a plain browser (browser mode uses a WebSocket). */
    gennerator?: GenneratorApi;
  }
}
