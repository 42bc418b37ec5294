/**
 * The app's one window. The renderer is treated as untrusted web content: it gets no Node, runs
 * sandboxed and context-isolated, may show only our own pages, and reaches main only through the
 * preload's typed API. The window's size and position are remembered between launches.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, screen, shell, type Rectangle, type Session } from 'electron';
import { z } from 'zod';

export const DEFAULT_WINDOW_SIZE = { width: 1280, height: 800 } as const;
const MIN_WINDOW_SIZE = { width: 640, height: 400 } as const;
/** Moving or resizing fires many events; the bounds are written once this long after the last. */
export const WINDOW_STATE_SAVE_DELAY_MS = 400;

type Log = (message: string) => void;

// ————— the renderer's pages —————

/** Where the renderer comes from: electron-vite's dev server, or the built index.html. */
export interface RendererPages {
  /** The dev server URL (electron-vite dev), or undefined for the built renderer. */
  devUrl: string | undefined;
  /** The built renderer's index.html (loaded when there is no dev server). */
  indexFile: string;
  /** Whether a top-level document at `url` is our renderer: the only page the window may show. */
  isAppPage(url: string): boolean;
  /** Whether `url` is one of the renderer's own files (its page, scripts, styles). */
  isAppResource(url: string): boolean;
}

export function rendererPages(): RendererPages {
  // Only an unpackaged app may be pointed at a URL through the environment.
  const devUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL || undefined;
  const indexFile = join(import.meta.dirname, '../renderer/index.html');
  if (devUrl) {
    const origin = new URL(devUrl).origin;
    const sameOrigin = (url: string) => parseUrl(url)?.origin === origin;
    return { devUrl, indexFile, isAppPage: sameOrigin, isAppResource: sameOrigin };
  }
  const indexUrl = pathToFileURL(indexFile).href;
  const rendererDirUrl = pathToFileURL(dirname(indexFile)).href + '/';
  return {
    devUrl,
    indexFile,
    // Only the page itself (a #fragment is still the same page); file:// has no origin to compare.
    isAppPage: (url) => withoutFragment(url) === indexUrl,
    isAppResource: (url) => withoutFragment(url).startsWith(rendererDirUrl),
  };
}

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

function withoutFragment(url: string): string {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}

// ————— Content-Security-Policy —————

/**
 * The renderer's policy, sent as a response header for our own pages. The renderer's index.html
 * carries the same policy in a <meta> tag, which covers the file:// pages for which Electron does
 * not deliver response headers; both apply, so this one must allow everything the meta tag does
 * that the app needs. The header adds what a <meta> policy cannot express (frame-ancestors).
 */
export function contentSecurityPolicy(devUrl?: string): string {
  const connect = ["'self'"];
  // The dev server's hot reload talks over a WebSocket to the page's own host.
  if (devUrl) connect.push(new URL(devUrl).origin.replace(/^http/, 'ws'));
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src ${connect.join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Sends the policy with every response for the renderer's own files; other responses pass as they are. */
export function installContentSecurityPolicy(session: Session, pages: RendererPages): void {
  const policy = contentSecurityPolicy(pages.devUrl);
  session.webRequest.onHeadersReceived((details, callback) => {
    if (!pages.isAppResource(details.url)) return callback({});
    const headers = Object.fromEntries(
      Object.entries(details.responseHeaders ?? {}).filter(([name]) => name.toLowerCase() !== 'content-security-policy'),
    );
    callback({ responseHeaders: { ...headers, 'Content-Security-Policy': [policy] } });
  });
}

/**
 * The renderer needs no device, location, notification or similar permission: all are refused.
 * The one exception is writing to the clipboard (navigator.clipboard.writeText for copy buttons).
 */
export function installPermissionPolicy(session: Session): void {
  session.setPermissionRequestHandler((_webContents, permission, callback) => callback(permission === 'clipboard-sanitized-write'));
}

/** Opens a link in the user's browser, if it is a web link (never file:, javascript: or app schemes). */
export function openExternalLink(url: string, log: Log): void {
  const parsed = parseUrl(url);
  if (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:') return;
  shell.openExternal(parsed.href).catch((error: Error) => log(`could not open ${parsed.href}: ${error.message}`));
}

// ————— window state —————

const WindowStateSchema = z.object({
  x: z.int(),
  y: z.int(),
  width: z.int().min(MIN_WINDOW_SIZE.width).max(100_000),
  height: z.int().min(MIN_WINDOW_SIZE.height).max(100_000),
  maximized: z.boolean().default(false),
});
export type WindowState = z.infer<typeof WindowStateSchema>;

/** The remembered state, or undefined if there is none or it cannot be read. */
export function readWindowState(file: string, log: Log): WindowState | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') log(`could not read ${file}: ${(error as Error).message}`);
    return undefined;
  }
  try {
    const result = WindowStateSchema.safeParse(JSON.parse(text));
    if (result.success) return result.data;
    log(`ignoring ${file}: ${z.prettifyError(result.error)}`);
  } catch (error) {
    log(`ignoring ${file}: ${(error as Error).message}`);
  }
  return undefined;
}

export function writeWindowState(file: string, state: WindowState, log: Log): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    // Written beside and renamed over, so a crash mid-write never leaves half a file.
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(state)}\n`);
    renameSync(temp, file);
  } catch (error) {
    log(`could not save the window state to ${file}: ${(error as Error).message}`);
  }
}

/**
 * Whether a window at `bounds` can be seen and moved: a good part of it lies in some display's work
 * area, and so does its top edge (where the title bar is). False once the monitor it was on is gone.
 */
export function isOnVisibleDisplay(bounds: Rectangle, workAreas: Rectangle[]): boolean {
  const minOverlapX = Math.min(100, bounds.width);
  const minOverlapY = Math.min(50, bounds.height);
  return workAreas.some((area) => {
    const overlapX = Math.min(bounds.x + bounds.width, area.x + area.width) - Math.max(bounds.x, area.x);
    const overlapY = Math.min(bounds.y + bounds.height, area.y + area.height) - Math.max(bounds.y, area.y);
    const topEdgeInside = bounds.y >= area.y && bounds.y < area.y + area.height;
    return overlapX >= minOverlapX && overlapY >= minOverlapY && topEdgeInside;
  });
}

/** Saves the window's bounds shortly after each move or resize, and at once when it closes. */
function rememberWindowState(window: BrowserWindow, file: string, log: Log): void {
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    clearTimeout(timer);
    timer = undefined;
    if (window.isDestroyed()) return;
    // The normal bounds: what the window returns to when it is un-maximized or restored.
    writeWindowState(file, { ...window.getNormalBounds(), maximized: window.isMaximized() }, log);
  };
  const saveSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(save, WINDOW_STATE_SAVE_DELAY_MS);
  };
  window.on('resize', saveSoon);
  window.on('move', saveSoon);
  window.on('maximize', saveSoon);
  window.on('unmaximize', saveSoon);
  window.on('close', save);
  window.on('closed', () => clearTimeout(timer));
}

// ————— the window —————

export interface MainWindowOptions {
  pages: RendererPages;
  /** window-state.json in the user data directory. */
  stateFile: string;
  log: Log;
}

export function createMainWindow({ pages, stateFile, log }: MainWindowOptions): BrowserWindow {
  const saved = readWindowState(stateFile, log);
  const restore = saved !== undefined && isOnVisibleDisplay(saved, screen.getAllDisplays().map((display) => display.workArea));
  const placement = restore ? { x: saved.x, y: saved.y, width: saved.width, height: saved.height } : { ...DEFAULT_WINDOW_SIZE };

  const window = new BrowserWindow({
    ...placement,
    minWidth: MIN_WINDOW_SIZE.width,
    minHeight: MIN_WINDOW_SIZE.height,
    title: 'geNNerator',
    // Shown on 'ready-to-show' to avoid a blank white frame while the renderer loads.
    show: false,
    webPreferences: {
      // A sandboxed preload cannot be an ES module; the build emits it as CommonJS (.cjs).
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    },
  });
  rememberWindowState(window, stateFile, log);

  window.once('ready-to-show', () => {
    if (restore && saved.maximized) window.maximize();
    window.show();
  });

  // The window only ever shows our renderer: no pop-ups, no navigation elsewhere (a stray link
  // or injected script must not turn it into a browser with our preload API attached). Web links
  // meant to open in a new window open in the user's browser instead.
  const contents = window.webContents;
  contents.setWindowOpenHandler(({ url }) => {
    openExternalLink(url, log);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (!pages.isAppPage(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());

  if (pages.devUrl) void window.loadURL(pages.devUrl);
  else void window.loadFile(pages.indexFile);

  return window;
}
