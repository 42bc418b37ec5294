/**
 * Preload: the only bridge between the sandboxed renderer and main. It exposes a small typed API
 * as `window.gennerator` and nothing else. ipcRenderer itself is never exposed, so renderer code
 * (or anything injected into it) can reach only the channels listed here.
 *
 * Runs sandboxed: the build emits it as one CommonJS file whose only require is 'electron'.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { GenneratorApi } from './index.d';
import { IPC } from './channels';

const api: GenneratorApi = {
  // Wrapped, not passed through, so the renderer cannot choose the channel or the arguments.
  getBackend: () => ipcRenderer.invoke(IPC.backend),
};

contextBridge.exposeInMainWorld('gennerator', api);
