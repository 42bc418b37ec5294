/**
 * Browser mode as one piece: the main-process services behind the WebSocket server, serving a built
 * renderer. `cli serve` runs it for people; the history-view bench runs it in-process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAppServices, type AppServices } from './app-services';
import { DownloadShelf } from './download-shelf';
import { forkNodeEngine } from './engine-child';
import { startServer, type RunningServer } from './ws-server';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const BUILT_RENDERER = join(ROOT, 'out', 'renderer');

/** Builds the app with electron-vite when out/renderer is missing; false when the build failed. */
export function ensureBuiltRenderer(log: (message: string) => void): boolean {
  if (existsSync(join(BUILT_RENDERER, 'index.html'))) return true;
  log('building the renderer (once)…');
  const built = spawnSync(process.execPath, [join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  return built.status === 0;
}

export interface BrowserModeOptions {
  dbPath: string;
  port: number;
  renderer: string;
  defaultExportDir: string;
  /** Where the engines' own output goes ('ignore' keeps a bench's output clean). */
  engineStdio?: 'inherit' | 'ignore';
  log: (message: string) => void;
}

export interface BrowserMode {
  server: RunningServer;
  services: AppServices;
  /** Closes the server, then stops the runs (they stay resumable) and closes the store. */
  close(): Promise<void>;
}

export async function startBrowserMode(options: BrowserModeOptions): Promise<BrowserMode> {
  // An export reaches the user's computer as a download of a zip (the server may be another machine).
  const downloads = new DownloadShelf();
  const services = createAppServices({
    deliverArchive: async (archive) => ({ kind: 'download', url: downloads.offer(archive.fileName, archive.bytes), fileName: archive.fileName, index: archive.index, entries: archive.entries }),
    dbPath: options.dbPath,
    spawnEngine: () => forkNodeEngine({ stdio: options.engineStdio }),
    shell: 'browser',
    actionSetsDir: join(ROOT, 'resources', 'action-sets'),
    defaultExportDir: options.defaultExportDir,
    log: options.log,
  });
  let server: RunningServer;
  try {
    server = await startServer({ port: options.port, staticDir: options.renderer, dispatch: services.dispatch, subscribe: (l) => services.supervisor.subscribe(l), subscribeTune: (l) => services.tuner.subscribe(l), downloads, log: options.log });
  } catch (error) {
    await services.shutdown();
    throw error;
  }
  return {
    server,
    services,
    close: async () => {
      await server.close();
      await services.shutdown();
    },
  };
}
