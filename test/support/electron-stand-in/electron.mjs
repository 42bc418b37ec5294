/**
 * A stand-in for the `electron` module, for running the built main process (out/main/index.js)
 * under plain Node where no Electron binary exists. It implements the part of Electron's main-process
 * API the app uses, records what the app does with it (window options, IPC handlers, forks, menus,
 * session hooks, app events, in order on a timeline) and lets the test drive it: the test forks
 * launch.mjs with an IPC channel and sends `{ id, op, ...args }`; each op answers
 * `{ id, ok, value | error }`. When the app quits, the stand-in reports `{ event: 'exit', code,
 * snapshot }` and exits the process, as Electron would.
 *
 * Configured through GENNERATOR_ELECTRON_STAND_IN (JSON, see StandInConfig in harness.ts). Paths
 * not configured there throw on app.getPath, so nothing can fall back to the user's real folders.
 *
 * The fake utility processes speak just enough of the engine protocol (src/shared/engine-messages.ts):
 * 'ready' when forked, a backend report for 'probe', exit on 'shutdown', and exit on 'stop' unless
 * stops are held (then the test ends them with the 'engineExit' op).
 */
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';

const config = JSON.parse(process.env.GENNERATOR_ELECTRON_STAND_IN ?? 'null');
if (!config) throw new Error('the electron stand-in needs GENNERATOR_ELECTRON_STAND_IN (JSON)');

export const FAKE_BACKEND = {
  name: 'cpu',
  tfBackend: 'cpu',
  device: 'stand-in CPU',
  probes: [{ name: 'cpu', available: true }],
};

const DEFAULT_DISPLAYS = [{ id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 0, width: 1920, height: 1040 } }];

const record = {
  /** What happened, in order: 'app.quit()', 'will-quit:prevented', 'engine#1:stop', … */
  timeline: [],
  setPaths: {},
  handlers: new Map(),
  forks: [],
  menu: null,
  aboutPanel: null,
  openedExternal: [],
  headersListener: null,
  headersFilter: null,
  permissionRequestHandler: null,
  errorBoxes: [],
  /** dialog.showSaveDialog calls: the parent window's id (or null) and the options. */
  saveDialogs: [],
  holdStops: Boolean(config.holdStops),
};
const note = (entry) => record.timeline.push(entry);

function report(message) {
  if (process.connected) process.send(message);
}

function preventable(extra = {}) {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
    ...extra,
  };
}

/** JSON round trip: what crosses the IPC channel to the test, without functions. */
const plain = (value) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

let exiting = false;
function finish(code) {
  if (exiting) return;
  exiting = true;
  note(`exit(${code})`);
  const message = { event: 'exit', code, snapshot: snapshot() };
  if (process.connected) process.send(message, () => process.exit(code));
  else process.exit(code);
}

// ————— app —————

class App extends EventEmitter {
  name = 'gennerator';
  #paths = { ...config.paths };
  #ready = false;
  #quitting = false;
  #resolveReady;
  #readyPromise = new Promise((resolve) => (this.#resolveReady = resolve));

  get isPackaged() {
    return Boolean(config.isPackaged);
  }
  requestSingleInstanceLock() {
    note('app.requestSingleInstanceLock()');
    return config.singleInstanceLock !== false;
  }
  whenReady() {
    return this.#readyPromise;
  }
  isReady() {
    return this.#ready;
  }
  getPath(name) {
    const path = this.#paths[name];
    if (!path) throw new Error(`electron stand-in: app.getPath('${name}') is not configured`);
    return path;
  }
  setPath(name, path) {
    note(`app.setPath(${name})`);
    record.setPaths[name] = path;
    this.#paths[name] = path;
  }
  getAppPath() {
    return config.appPath;
  }
  getName() {
    return this.name;
  }
  getVersion() {
    return '0.0.0-stand-in';
  }
  setAboutPanelOptions(options) {
    record.aboutPanel = plain(options);
  }
  focus() {}
  quit() {
    note('app.quit()');
    setImmediate(() => this.#runQuit());
  }
  exit(code = 0) {
    note(`app.exit(${code})`);
    finish(code);
  }

  /** Electron's order: before-quit, close every window, will-quit, quit; any of them can cancel. */
  #runQuit() {
    if (this.#quitting || exiting) return;
    this.#quitting = true;
    try {
      const beforeQuit = preventable();
      this.emit('before-quit', beforeQuit);
      if (beforeQuit.defaultPrevented) return note('before-quit:prevented');
      for (const window of BrowserWindow.getAllWindows()) {
        window.close();
        if (!window.isDestroyed()) return note('quit:cancelled-by-window');
      }
      const willQuit = preventable();
      this.emit('will-quit', willQuit);
      if (willQuit.defaultPrevented) return note('will-quit:prevented');
      note('quit');
      this.emit('quit', preventable(), 0);
      finish(0);
    } finally {
      this.#quitting = false;
    }
  }

  _mainLoaded() {
    this.#ready = true;
    note('ready');
    this.emit('ready', preventable(), {});
    this.#resolveReady();
  }

  _windowClosed() {
    // Closing the windows while quitting does not emit window-all-closed; Electron quits by default.
    if (this.#quitting || BrowserWindow.getAllWindows().length > 0) return;
    note('window-all-closed');
    if (this.listenerCount('window-all-closed') === 0) this.quit();
    else this.emit('window-all-closed');
  }
}
export const app = new App();

// ————— windows —————

const allWindows = [];
let lastWebContentsId = 0;

class WebFrameMain {
  constructor(contents, url) {
    this.contents = contents;
    this.frameUrl = url;
  }
  get url() {
    return this.frameUrl ?? this.contents._url;
  }
}

class WebContents extends EventEmitter {
  id = ++lastWebContentsId;
  sent = [];
  windowOpenHandler = null;
  _url = '';
  _destroyed = false;
  mainFrame = new WebFrameMain(this);
  send(channel, ...args) {
    this.sent.push({ channel, args: plain(args) });
  }
  setWindowOpenHandler(handler) {
    this.windowOpenHandler = handler;
  }
  getURL() {
    return this._url;
  }
  isDestroyed() {
    return this._destroyed;
  }
}

class BrowserWindow extends EventEmitter {
  static #lastId = 0;
  static getAllWindows() {
    return allWindows.filter((window) => !window.isDestroyed());
  }

  #bounds;
  #maximized = false;
  #minimized = false;
  #visible;
  #destroyed = false;
  #loaded = null;

  constructor(options = {}) {
    super();
    this.id = ++BrowserWindow.#lastId;
    this.options = plain(options);
    note(`BrowserWindow#${this.id}:new`);
    const area = screen.getPrimaryDisplay().workArea;
    const width = options.width ?? 800;
    const height = options.height ?? 600;
    this.#bounds = {
      x: options.x ?? Math.round(area.x + (area.width - width) / 2),
      y: options.y ?? Math.round(area.y + (area.height - height) / 2),
      width,
      height,
    };
    this.#visible = options.show !== false;
    this.webContents = new WebContents();
    allWindows.push(this);
  }

  getBounds() {
    return { ...this.#bounds };
  }
  getNormalBounds() {
    return { ...this.#bounds };
  }
  setBounds(bounds) {
    Object.assign(this.#bounds, bounds);
  }
  isMaximized() {
    return this.#maximized;
  }
  maximize() {
    note(`BrowserWindow#${this.id}.maximize()`);
    this.#maximized = true;
    this.#visible = true;
    this.emit('maximize');
  }
  unmaximize() {
    this.#maximized = false;
    this.emit('unmaximize');
  }
  isMinimized() {
    return this.#minimized;
  }
  minimize() {
    this.#minimized = true;
  }
  restore() {
    note(`BrowserWindow#${this.id}.restore()`);
    this.#minimized = false;
  }
  focus() {
    note(`BrowserWindow#${this.id}.focus()`);
  }
  show() {
    note(`BrowserWindow#${this.id}.show()`);
    this.#visible = true;
  }
  hide() {
    this.#visible = false;
  }
  isVisible() {
    return this.#visible;
  }
  loadFile(file) {
    this.#loaded = { file };
    return this.#load(pathToFileURL(file).href);
  }
  loadURL(url) {
    this.#loaded = { url };
    return this.#load(url);
  }
  #load(url) {
    this.webContents._url = url;
    return new Promise((resolve) =>
      setImmediate(() => {
        if (!this.#destroyed) {
          this.webContents.emit('did-finish-load');
          this.emit('ready-to-show');
        }
        resolve();
      }),
    );
  }
  close() {
    if (this.#destroyed) return;
    const event = preventable();
    this.emit('close', event);
    if (!event.defaultPrevented) this.destroy();
  }
  destroy() {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.webContents._destroyed = true;
    note(`BrowserWindow#${this.id}:closed`);
    this.emit('closed');
    app._windowClosed();
  }
  isDestroyed() {
    return this.#destroyed;
  }
  describe() {
    return {
      id: this.id,
      options: this.options,
      bounds: this.getBounds(),
      maximized: this.#maximized,
      visible: this.#visible,
      destroyed: this.#destroyed,
      loaded: this.#loaded,
      url: this.webContents._url,
      sent: this.webContents.sent,
      listeners: this.eventNames().map(String),
      webContentsListeners: this.webContents.eventNames().map(String),
      hasWindowOpenHandler: this.webContents.windowOpenHandler !== null,
    };
  }
}
export { BrowserWindow };

// ————— IPC —————

class IpcMain extends EventEmitter {
  handle(channel, listener) {
    if (record.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    note(`ipcMain.handle(${channel})`);
    record.handlers.set(channel, listener);
  }
  handleOnce(channel, listener) {
    this.handle(channel, listener);
  }
  removeHandler(channel) {
    record.handlers.delete(channel);
  }
}
export const ipcMain = new IpcMain();

// ————— utility processes (the engine) —————

class FakeUtilityProcess extends EventEmitter {
  received = [];
  exitCode = null;
  killed = false;

  constructor(index, modulePath, args, options) {
    super();
    this.index = index;
    this.modulePath = modulePath;
    this.args = args;
    this.options = options;
    this.pid = 900_000 + index;
    setImmediate(() => {
      this.emit('spawn');
      this.#post({ type: 'ready' });
    });
  }
  postMessage(message) {
    if (this.exitCode !== null) return note(`engine#${this.index}:message-after-exit:${message?.type}`);
    this.received.push(plain(message));
    note(`engine#${this.index}:${message?.type}`);
    if (message?.type === 'probe') setImmediate(() => this.#post({ type: 'backend', backend: FAKE_BACKEND }));
    if (message?.type === 'shutdown') setImmediate(() => this._exit(0));
    if (message?.type === 'stop' && !record.holdStops) setImmediate(() => this._exit(0));
  }
  kill() {
    note(`engine#${this.index}:kill`);
    this.killed = true;
    setImmediate(() => this._exit(-1));
    return true;
  }
  #post(message) {
    if (this.exitCode === null) this.emit('message', message);
  }
  _exit(code) {
    if (this.exitCode !== null) return;
    this.exitCode = code;
    note(`engine#${this.index}:exit(${code})`);
    this.emit('exit', code);
  }
  describe() {
    return { index: this.index, modulePath: this.modulePath, args: plain(this.args), options: plain(this.options), received: this.received, exitCode: this.exitCode, killed: this.killed };
  }
}

export const utilityProcess = {
  fork(modulePath, args = [], options = {}) {
    const child = new FakeUtilityProcess(record.forks.length, modulePath, args, options);
    note(`utilityProcess.fork#${child.index}`);
    record.forks.push(child);
    return child;
  },
};

// ————— screen, shell, session, menu, dialog —————

export const screen = {
  getAllDisplays: () => plain(config.displays ?? DEFAULT_DISPLAYS),
  getPrimaryDisplay: () => plain((config.displays ?? DEFAULT_DISPLAYS)[0]),
};

export const shell = {
  openExternal(url) {
    note('shell.openExternal()');
    record.openedExternal.push(url);
    return Promise.resolve();
  },
  openPath(path) {
    record.openedExternal.push(path);
    return Promise.resolve('');
  },
};

export const session = {
  defaultSession: {
    webRequest: {
      onHeadersReceived(filterOrListener, maybeListener) {
        note('session.webRequest.onHeadersReceived()');
        record.headersFilter = maybeListener === undefined ? null : plain(filterOrListener);
        record.headersListener = maybeListener === undefined ? filterOrListener : maybeListener;
      },
    },
    setPermissionRequestHandler(handler) {
      record.permissionRequestHandler = handler;
    },
    setPermissionCheckHandler() {},
  },
};

function describeMenu(template) {
  return template.map(({ label, role, type, accelerator, submenu }) => ({
    ...(label !== undefined && { label }),
    ...(role !== undefined && { role }),
    ...(type !== undefined && { type }),
    ...(accelerator !== undefined && { accelerator }),
    ...(Array.isArray(submenu) && { submenu: describeMenu(submenu) }),
  }));
}

export const Menu = {
  buildFromTemplate: (template) => ({ template }),
  setApplicationMenu(menu) {
    note('Menu.setApplicationMenu()');
    record.menu = menu ? describeMenu(menu.template) : null;
  },
};

/** What the next save dialogs answer: `{ filePath }` as if the user chose it, or `{ canceled: true }` (the default). */
const saveDialogAnswers = [];

export const dialog = {
  showErrorBox(title, content) {
    record.errorBoxes.push({ title, content });
  },
  showSaveDialog(windowOrOptions, maybeOptions) {
    const parent = maybeOptions === undefined ? null : windowOrOptions;
    const options = maybeOptions ?? windowOrOptions;
    note('dialog.showSaveDialog()');
    record.saveDialogs.push({ parent: parent?.id ?? null, options: plain(options) });
    const answer = saveDialogAnswers.shift() ?? { canceled: true };
    return Promise.resolve({ canceled: Boolean(answer.canceled), filePath: answer.canceled ? '' : answer.filePath });
  },
};

// ————— the test's side —————

function snapshot() {
  return {
    ready: app.isReady(),
    timeline: [...record.timeline],
    setPaths: { ...record.setPaths },
    windows: allWindows.map((window) => window.describe()),
    ipcHandlers: [...record.handlers.keys()],
    ipcListeners: ipcMain.eventNames().map(String),
    forks: record.forks.map((child) => child.describe()),
    menu: record.menu,
    aboutPanel: record.aboutPanel,
    openedExternal: [...record.openedExternal],
    headersFilter: record.headersFilter,
    hasHeadersListener: record.headersListener !== null,
    hasPermissionRequestHandler: record.permissionRequestHandler !== null,
    errorBoxes: record.errorBoxes,
    saveDialogs: record.saveDialogs,
    appListeners: app.eventNames().map(String),
  };
}

function currentWindow() {
  const window = BrowserWindow.getAllWindows().at(-1);
  if (!window) throw new Error('no open window');
  return window;
}

/** The IPC event Electron would pass: from our window's top frame, or from somewhere else. */
function ipcEvent(from) {
  if (from === 'other-webcontents') {
    const sender = new WebContents();
    sender._url = currentWindow().webContents._url;
    return { sender, senderFrame: sender.mainFrame, processId: 99, frameId: 1 };
  }
  const sender = currentWindow().webContents;
  if (from === 'subframe') return { sender, senderFrame: new WebFrameMain(sender, sender._url), processId: 1, frameId: 2 };
  return { sender, senderFrame: sender.mainFrame, processId: 1, frameId: 1 };
}

const ops = {
  snapshot: () => snapshot(),

  /** Calls an ipcMain.handle handler as Electron would for an invoke from `from`. */
  async invoke({ channel, args = [], from = 'window', frameUrl }) {
    const handler = record.handlers.get(channel);
    if (!handler) throw new Error(`no ipcMain handler for ${channel}`);
    const event = ipcEvent(from);
    // A top frame that has navigated away from our page (which the app prevents): same objects, other URL.
    const realUrl = event.sender._url;
    if (frameUrl !== undefined) event.sender._url = frameUrl;
    try {
      return { result: plain(await handler(event, ...args)) };
    } catch (error) {
      return { error: String(error) };
    } finally {
      event.sender._url = realUrl;
    }
  },

  headers({ url, resourceType = 'mainFrame', responseHeaders = {} }) {
    const listener = record.headersListener;
    if (!listener) throw new Error('no onHeadersReceived listener');
    const details = { id: 1, url, method: 'GET', resourceType, referrer: '', timestamp: Date.now(), statusLine: 'HTTP/1.1 200 OK', statusCode: 200, responseHeaders };
    return new Promise((resolve) => listener(details, (response) => resolve(plain(response))));
  },

  navigate({ url }) {
    const event = preventable({ url, isMainFrame: true });
    currentWindow().webContents.emit('will-navigate', event, url, false, true);
    return { prevented: event.defaultPrevented };
  },

  attachWebview() {
    const event = preventable();
    currentWindow().webContents.emit('will-attach-webview', event, {}, {});
    return { prevented: event.defaultPrevented };
  },

  async windowOpen({ url }) {
    const handler = currentWindow().webContents.windowOpenHandler;
    if (!handler) throw new Error('no window open handler');
    const before = record.openedExternal.length;
    const result = handler({ url, frameName: '', features: '', disposition: 'foreground-tab', referrer: { url: '', policy: 'default' } });
    await new Promise((resolve) => setImmediate(resolve));
    return { result: plain(result), opened: record.openedExternal.slice(before) };
  },

  permission({ permission }) {
    const handler = record.permissionRequestHandler;
    if (!handler) throw new Error('no permission request handler');
    return new Promise((resolve) => handler(currentWindow().webContents, permission, (granted) => resolve(granted), {}));
  },

  setBounds({ bounds }) {
    const window = currentWindow();
    window.setBounds(bounds);
    const at = Date.now();
    window.emit('resize');
    window.emit('move');
    return { bounds: window.getBounds(), at };
  },

  maximize() {
    currentWindow().maximize();
  },

  closeWindow() {
    currentWindow().close();
  },

  quit() {
    app.quit();
  },

  emitApp({ event, args = [] }) {
    app.emit(event, preventable(), ...args);
  },

  /** The answer of the next save dialog. */
  answerSaveDialog({ answer }) {
    saveDialogAnswers.push(answer);
  },

  holdStops({ value }) {
    record.holdStops = value;
  },

  engineExit({ index, code = 0 }) {
    record.forks[index]._exit(code);
  },
};

process.on('message', async (message) => {
  if (typeof message?.id !== 'number') return;
  const op = ops[message.op];
  try {
    if (!op) throw new Error(`unknown stand-in op ${message.op}`);
    report({ id: message.id, ok: true, value: await op(message) });
  } catch (error) {
    report({ id: message.id, ok: false, error: error?.stack ?? String(error) });
  }
});

/** For launch.mjs. */
export const __standIn = {
  report,
  mainLoaded() {
    app._mainLoaded();
    report({ event: 'loaded' });
  },
};
