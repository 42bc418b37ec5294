/**
 * Browser mode: one HTTP server on 127.0.0.1 that serves the built renderer and speaks the renderer
 * API over a WebSocket at /api — the same calls and updates as Electron's IPC, through the same
 * dispatcher. Only pages served by this server may connect (Origin check), so another site open in
 * the same browser cannot drive the searches.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { WsRequestSchema, type RunUpdate, type WsResponse } from '../../shared/api';
import type { TuneUpdate } from '../../shared/tuning-api';
import type { ApiDispatcher } from './api-handlers';
import { DOWNLOADS_PATH, type DownloadShelf } from './download-shelf';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export interface ServeOptions {
  port: number;
  /** The built renderer (out/renderer). */
  staticDir: string;
  dispatch: ApiDispatcher;
  subscribe: (listener: (update: RunUpdate) => void) => () => void;
  /** The second mode's live updates (learning controllers, tuning sessions). */
  subscribeTune?: (listener: (update: TuneUpdate) => void) => () => void;
  /** Exported zips waiting for the page to download them. */
  downloads?: DownloadShelf;
  log?: (message: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const root = resolve(options.staticDir);
  const log = options.log ?? ((m: string) => console.error(m));
  const http: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    if (path.startsWith(DOWNLOADS_PATH)) {
      const item = options.downloads?.find(path);
      if (!item) {
        response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('This download has expired: export again.\n');
        return;
      }
      response.writeHead(200, {
        'content-type': 'application/zip',
        'content-length': item.bytes.byteLength,
        'content-disposition': `attachment; filename="${item.fileName.replace(/[^\w.-]/g, '_')}"`,
        'cache-control': 'no-store',
      });
      response.end(item.bytes);
      return;
    }
    let file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root + sep) && file !== root) {
      response.writeHead(403).end();
      return;
    }
    // Client-side routes fall back to the app.
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html');
    response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    createReadStream(file).pipe(response);
  });

  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  http.on('upgrade', (request, socket, head) => {
    const origin = request.headers.origin;
    const host = request.headers.host;
    if (request.url !== '/api' || !host || (origin !== `http://${host}` && origin !== undefined)) {
      log(`refused a WebSocket from origin ${origin ?? '(none)'} for ${request.url}`);
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws));
  });
  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', (data) => {
      let request;
      try {
        request = WsRequestSchema.parse(JSON.parse(String(data)));
      } catch (error) {
        log(`rejected a malformed API frame: ${(error as Error).message.split('\n')[0]}`);
        return;
      }
      const { id, method, params } = request;
      options.dispatch(method, params).then(
        (result) => send(ws, { id, result: result ?? null }),
        (error: unknown) => send(ws, { id, error: error instanceof Error ? error.message : String(error) }),
      );
    });
  });
  const unsubscribe = options.subscribe((update) => {
    for (const ws of sockets) send(ws, { update });
  });
  const unsubscribeTune = options.subscribeTune?.((tuneUpdate) => {
    for (const ws of sockets) send(ws, { tuneUpdate });
  });

  await new Promise<void>((resolveListen, reject) => {
    http.once('error', reject);
    http.listen(options.port, '127.0.0.1', () => resolveListen());
  });
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: async () => {
      unsubscribe();
      unsubscribeTune?.();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((done) => http.close(() => done()));
    },
  };
}

function send(ws: WebSocket, message: WsResponse): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}
