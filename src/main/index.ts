/**
 * Electron main process: one window, one engine process, and the IPC handlers between them.
 * Kept thin: the engine lifecycle lives in engine-host.ts (Electron-free), the window in window.ts.
 */
import { app, BrowserWindow, ipcMain, utilityProcess, type IpcMainInvokeEvent } from 'electron';
// electron-vite bundles the engine entry as its own chunk and gives us its path at runtime:
// the engine must run in a separate process, not be inlined into main.
import enginePath from './engine-process?modulePath';
import { EngineHost } from './engine-host';
import { createMainWindow } from './window';
import { IPC } from '../preload/channels';

// A second copy would fork a second engine and (later) open the same SQLite history as a second
// writer; hand over to the running instance instead.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  main();
}

function main(): void {
  let mainWindow: BrowserWindow | null = null;

  const engine = new EngineHost(() =>
    utilityProcess.fork(enginePath, [], { serviceName: 'geNNerator engine', stdio: 'inherit' }),
  );

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

  ipcMain.handle(IPC.backend, (event) => {
    assertTrustedSender(event);
    return engine.getBackend();
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

  // Give the engine a chance to exit cleanly (later: finish writing a checkpoint) before quitting;
  // EngineHost.stop() is bounded, so quitting never hangs on it.
  let engineStopped = false;
  app.on('will-quit', (event) => {
    if (engineStopped) return;
    event.preventDefault();
    void engine.stop().finally(() => {
      engineStopped = true;
      app.quit();
    });
  });

  void app.whenReady().then(() => {
    // Start the engine first: initialising TensorFlow.js takes a moment and overlaps window load.
    engine.start();
    openWindow();
    app.on('activate', () => {
      // macOS: clicking the dock icon with no window open reopens one.
      if (BrowserWindow.getAllWindows().length === 0) openWindow();
    });
  });
}
