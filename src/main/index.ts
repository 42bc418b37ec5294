/**
 * Electron main process: one window, the main-process services (history store, run supervisor,
 * API dispatcher; see services/app-services.ts), and the IPC between them and the renderer.
 * Kept thin: the services are Electron-free and shared with browser mode (`cli serve`).
 */
import { join } from 'node:path';
import { app, BrowserWindow, ipcMain, utilityProcess, type IpcMainInvokeEvent } from 'electron';
// electron-vite bundles the engine entry as its own chunk and gives us its path at runtime:
// the engine must run in a separate process, not be inlined into main.
import enginePath from './engine-process?modulePath';
import { createAppServices, type AppServices } from './services/app-services';
import type { EngineChild } from './services/engine-child';
import { createMainWindow } from './window';
import { IPC } from '../preload/channels';

// A second copy would open the same SQLite history as a second writer; hand over to the running instance instead.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  main();
}

function main(): void {
  let mainWindow: BrowserWindow | null = null;
  let services: AppServices | null = null;
  const spawnEngine = (): EngineChild => utilityProcess.fork(enginePath, [], { serviceName: 'geNNerator engine', stdio: 'inherit' });

  function openWindow(): void {
    const window = createMainWindow();
    mainWindow = window;
    window.on('closed', () => {
      if (mainWindow === window) mainWindow = null;
    });
  }

  /** IPC is open to any frame in any of our webContents; only our window's top frame may call. */
  function assertTrustedSender(event: IpcMainInvokeEvent): void {
    const trusted =
      mainWindow !== null &&
      !mainWindow.isDestroyed() &&
      event.sender === mainWindow.webContents &&
      event.senderFrame === mainWindow.webContents.mainFrame;
    if (!trusted) throw new Error('IPC call from an untrusted sender');
  }

  ipcMain.handle(IPC.call, (event, method: unknown, params: unknown) => {
    assertTrustedSender(event);
    if (!services) throw new Error('geNNerator is still starting');
    // The dispatcher validates the method and its parameters.
    return services.dispatch(String(method), params);
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

  // Stop running searches cleanly (they stay resumable) before quitting; stops are bounded.
  let servicesStopped = false;
  app.on('will-quit', (event) => {
    if (servicesStopped || !services) return;
    event.preventDefault();
    void services.shutdown().finally(() => {
      servicesStopped = true;
      app.quit();
    });
  });

  void app.whenReady().then(() => {
    services = createAppServices({
      dbPath: join(app.getPath('userData'), 'history.db'),
      spawnEngine,
      shell: 'electron',
      actionSetsDir: join(app.getAppPath(), 'resources', 'action-sets'),
      defaultExportDir: join(app.getPath('documents'), 'geNNerator exports'),
      log: (message) => console.error(`[geNNerator] ${message}`),
    });
    services.supervisor.subscribe((update) => {
      if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(IPC.update, update);
    });
    openWindow();
    app.on('activate', () => {
      // macOS: clicking the dock icon with no window open reopens one.
      if (BrowserWindow.getAllWindows().length === 0) openWindow();
    });
  });
}
