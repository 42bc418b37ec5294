/**
 * Preload: the only bridge between the sandboxed renderer and main. It exposes one typed API object
 * as `window.gennerator` and nothing else. ipcRenderer itself is never exposed, so renderer code
 * (or anything injected into it) can reach only the two channels used here; main validates every
 * call's method and parameters (src/shared/api.ts).
 *
 * Runs sandboxed: the build emits it as one CommonJS file whose only require is 'electron'.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { GenneratorApi, RunUpdate } from '../shared/api';
import type { TuneUpdate } from '../shared/tuning-api';
import { IPC } from './channels';

const api: GenneratorApi = {
  call: (method, params) => ipcRenderer.invoke(IPC.call, method, params),
  onUpdate: (listener) => {
    // Wrapped so the renderer never sees the IpcRendererEvent (it holds `sender`).
    const forward = (_event: IpcRendererEvent, update: RunUpdate) => listener(update);
    ipcRenderer.on(IPC.update, forward);
    return () => ipcRenderer.off(IPC.update, forward);
  },
  onTuneUpdate: (listener) => {
    const forward = (_event: IpcRendererEvent, update: TuneUpdate) => listener(update);
    ipcRenderer.on(IPC.tuneUpdate, forward);
    return () => ipcRenderer.off(IPC.tuneUpdate, forward);
  },
};

contextBridge.exposeInMainWorld('gennerator', api);
