/**
 * The renderer's one way to main: Electron's preload object when there is one, otherwise (browser
 * mode, `cli serve`) the same API over a WebSocket to the server that served this page.
 */
import type { ApiMethod, ApiParams, ApiResults, GenneratorApi, RunUpdate, WsResponse } from '../../shared/api';
import type { TuneUpdate } from '../../shared/tuning-api';

function connectWebSocket(): GenneratorApi {
  const listeners = new Set<(update: RunUpdate) => void>();
  const tuneListeners = new Set<(update: TuneUpdate) => void>();
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let socket: WebSocket;
  let opened: Promise<void>;

  const connect = () => {
    socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`);
    opened = new Promise((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error(`cannot reach the geNNerator server at ${location.host}: is \`cli serve\` still running?`)), { once: true });
    });
    opened.catch(() => undefined);
    socket.addEventListener('message', (message: MessageEvent<string>) => {
      const data = JSON.parse(message.data) as WsResponse;
      if ('update' in data) return listeners.forEach((listener) => listener(data.update));
      if ('tuneUpdate' in data) return tuneListeners.forEach((listener) => listener(data.tuneUpdate));
      const call = pending.get(data.id);
      if (!call) return;
      pending.delete(data.id);
      if ('error' in data) call.reject(new Error(data.error));
      else call.resolve(data.result);
    });
    socket.addEventListener('close', () => {
      for (const call of pending.values()) call.reject(new Error('the connection to the geNNerator server was lost'));
      pending.clear();
      // The server may come back (restarted `serve`): reconnect, gently.
      setTimeout(connect, 2000);
    });
  };
  connect();

  return {
    async call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResults[M]> {
      await opened;
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        socket.send(JSON.stringify({ id, method, params }));
      });
    },
    onUpdate(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onTuneUpdate(listener) {
      tuneListeners.add(listener);
      return () => tuneListeners.delete(listener);
    },
  };
}

export const api: GenneratorApi = window.gennerator ?? connectWebSocket();

/** An error from main, in words a user can act on (main's errors already say what and where). */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // Electron prefixes invoke errors with the channel: keep only main's message.
  return text.replace(/^Error invoking remote method '[^']+': (Error: )?/, '');
}
