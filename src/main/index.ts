/**
 * Electron main process: one window, the main-process services (history store, run supervisor,
 * API dispatcher; see services/app-services.ts), and the IPC between them and the renderer.
 * Kept thin: the services are Electron-free and shared with browser mode (`cli serve`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, session, utilityProcess, type IpcMainInvokeEvent } from 'electron';
// electron-vite bundles the engine entry as its own chunk and gives us its path at runtime:
// the engine must run in a separate process, not be inlined into main.
import enginePath from './engine-process?modulePath';
// The engine forks its evaluation workers from this built entry (runs with several workers).
import evaluationWorkerPath from '../engine/pool/worker-process?modulePath';
import { WORKER_ENTRY_ENV } from '../engine/pool/worker-entry';
import { useSqliteBinding } from './db/connection';
import { saveArchiveWithDialog } from './export-dialog';
import { installApplicationMenu } from './menu';
import { createAppServices, type AppServices } from './services/app-services';
import type { EngineChild } from './services/engine-child';
import { createMainWindow, installContentSecurityPolicy, installPermissionPolicy, rendererPages } from './window';
import { IPC } from '../preload/channels';
import { ApiError } from '../shared/api';

/** Quitting waits this long at most for active runs to stop (each stop also kills its engine after 10 s). */
const SHUTDOWN_TIMEOUT_MS = 20_000;

const log = (message: string) => console.error(`[geNNerator] ${message}`);

// GENNERATOR_HOME moves the data directory, for the app as for the CLI (src/main/paths.ts), so both
// keep finding the same history; tests point it at a temporary directory. Set before anything
// reads userData: the single-instance lock lives there too.
if (process.env.GENNERATOR_HOME) app.setPath('userData', process.env.GENNERATOR_HOME);

// A second copy would open the same SQLite history as a second writer; hand over to the running instance instead.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  main();
}

function main(): void {
  let mainWindow: BrowserWindow | null = null;
  let services: AppServices | null = null;
  const pages = rendererPages();
  const spawnEngine = (): EngineChild =>
    utilityProcess.fork(enginePath, [], { serviceName: 'geNNerator engine', stdio: 'inherit', env: { ...process.env, [WORKER_ENTRY_ENV]: evaluationWorkerPath } });

  function openWindow(): void {
    const window = createMainWindow({ pages, stateFile: join(app.getPath('userData'), 'window-state.json'), log });
    mainWindow = window;
    window.on('closed', () => {
      if (mainWindow === window) mainWindow = null;
    });
  }

  /**
   * IPC is open to any frame in any of our webContents; only our window's top frame, showing our
   * renderer, may call.
   */
  function assertTrustedSender(event: IpcMainInvokeEvent): void {
    const trusted =
      mainWindow !== null &&
      !mainWindow.isDestroyed() &&
      event.sender === mainWindow.webContents &&
      event.senderFrame !== null &&
      event.senderFrame === mainWindow.webContents.mainFrame &&
      pages.isAppPage(event.senderFrame.url);
    if (!trusted) throw new Error('IPC call from an untrusted sender');
  }

  // The renderer's one channel to main; IPC.update only goes the other way (webContents.send).
  ipcMain.handle(IPC.call, (event, method: unknown, params: unknown) => {
    assertTrustedSender(event);
    if (!services) throw new Error('geNNerator is still starting');
    if (typeof method !== 'string') throw new ApiError(`the API method must be a string, not ${typeof method}`);
    // The dispatcher validates the method and its parameters (src/shared/api.ts) before acting.
    return services.dispatch(method, params);
  });

  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  app.on('window-all-closed', () => {
    // macOS apps stay alive without windows until the user quits explicitly.
    if (process.platform !== 'darwin') app.quit();
  });

  // Stop running searches cleanly (they stay resumable) before quitting. The first will-quit is
  // held back until that is done; then quit again, which goes through.
  let shutdown: Promise<void> | null = null;
  let servicesStopped = false;
  app.on('will-quit', (event) => {
    if (servicesStopped || !services) return;
    event.preventDefault();
    // Asked to quit again while stopping: the quit already under way will follow.
    if (shutdown) return;
    shutdown = withTimeout(services.shutdown(), SHUTDOWN_TIMEOUT_MS, 'stopping the active runs')
      .catch((error: Error) => log(`shutdown: ${error.message}`))
      .finally(() => {
        servicesStopped = true;
        app.quit();
      });
  });

  app
    .whenReady()
    .then(() => {
      installContentSecurityPolicy(session.defaultSession, pages);
      installPermissionPolicy(session.defaultSession);
      installApplicationMenu();
      // better-sqlite3 built for Electron's ABI (scripts/electron-native.mjs, run by `npm run app`).
      const sqliteBinding = join(app.getAppPath(), '.native', `electron-${process.versions.electron}`, 'better_sqlite3.node');
      useSqliteBinding(existsSync(sqliteBinding) ? sqliteBinding : undefined);
      services = createAppServices({
        dbPath: join(app.getPath('userData'), 'history.db'),
        spawnEngine,
        shell: 'electron',
        actionSetsDir: join(app.getAppPath(), 'resources', 'action-sets'),
        defaultExportDir: join(app.getPath('documents'), 'geNNerator exports'),
        deliverArchive: (archive) => saveArchiveWithDialog(archive, mainWindow, app.getPath('documents')),
        log,
      });
      services.supervisor.subscribe((update) => {
        if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(IPC.update, update);
      });
      services.tuner.subscribe((update) => {
        if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(IPC.tuneUpdate, update);
      });
      openWindow();
      app.on('activate', () => {
        // macOS: clicking the dock icon with no window open reopens one.
        if (BrowserWindow.getAllWindows().length === 0) openWindow();
      });
    })
    .catch((error: Error) => {
      // E.g. the history database cannot be opened: say so rather than run without a window.
      log(`could not start: ${error.stack ?? error.message}`);
      dialog.showErrorBox('geNNerator could not start', error.message);
      app.exit(1);
    });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s; quitting anyway`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
