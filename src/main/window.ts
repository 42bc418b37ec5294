/**
 * The app's one window. The renderer is treated as untrusted web content: it gets no Node, runs
 * sandboxed and context-isolated, and reaches main only through the preload's typed API.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow } from 'electron';

/** Dev server URL (electron-vite dev) or undefined for the built renderer. */
function devServerUrl(): string | undefined {
  // Only an unpackaged app may be pointed at a URL through the environment.
  return app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
}

export function createMainWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    title: 'geNNerator',
    // Shown on 'ready-to-show' to avoid a blank white frame while the renderer loads.
    show: false,
    webPreferences: {
      // A sandboxed preload cannot be an ES module; the build emits it as CommonJS (.cjs).
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });

  window.once('ready-to-show', () => window.show());

  const devUrl = devServerUrl();
  const rendererIndex = join(import.meta.dirname, '../renderer/index.html');
  const appOrigin = devUrl ? new URL(devUrl).origin : pathToFileURL(rendererIndex).href;

  // The window only ever shows our renderer: no pop-ups, no navigation elsewhere (a stray link
  // or injected script must not turn it into a browser with our preload API attached).
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.webContents.on('will-navigate', (event, url) => {
    const allowed = devUrl ? new URL(url).origin === appOrigin : url.split('#')[0] === appOrigin;
    if (!allowed) event.preventDefault();
  });

  if (devUrl) void window.loadURL(devUrl);
  else void window.loadFile(rendererIndex);

  return window;
}
