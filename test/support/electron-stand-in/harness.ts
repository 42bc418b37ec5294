/**
 * The test's side of the Electron stand-in: builds the app with electron-vite into a directory of
 * the test's own, runs the built main process under plain Node with `electron` resolved to
 * electron.mjs (see launch.mjs), and drives it over the fork IPC channel. Also loads the built
 * preload with a stand-in `require('electron')`.
 */
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import vm from 'node:vm';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
const LAUNCHER = join(import.meta.dirname, 'launch.mjs');

// ————— building —————

export interface BuiltApp {
  outDir: string;
  main: string;
  preload: string;
  rendererIndex: string;
  /** out/main/chunks/engine-process-<hash>.js */
  engineChunk: string;
}

/**
 * `electron-vite build --outDir <outDir>`: a private output directory, so that test files running in
 * parallel (build.test.ts rebuilds out/) never read a half-written build.
 */
export async function buildApp(outDir: string): Promise<BuiltApp> {
  rmSync(outDir, { recursive: true, force: true });
  const cli = join(REPO_ROOT, 'node_modules/electron-vite/bin/electron-vite.js');
  try {
    await promisify(execFile)(process.execPath, [cli, 'build', '--outDir', outDir], {
      cwd: REPO_ROOT,
      timeout: 300_000,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, NO_COLOR: '1' },
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`electron-vite build failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
  const chunks = readdirSync(join(outDir, 'main/chunks')).filter((f) => /^engine-process-[\w-]+\.js$/.test(f));
  if (chunks.length !== 1) throw new Error(`expected one engine chunk in ${outDir}/main/chunks, found ${chunks.join(', ') || 'none'}`);
  return {
    outDir,
    main: join(outDir, 'main/index.js'),
    preload: join(outDir, 'preload/index.cjs'),
    rendererIndex: join(outDir, 'renderer/index.html'),
    engineChunk: join(outDir, 'main/chunks', chunks[0]),
  };
}

const tempDirs: string[] = [];

/** A fresh temporary directory (outside the repository and the user's data); see removeTempDirs. */
export function tempDir(prefix = 'gennerator-electron-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Removes the directories tempDir made (for afterAll, once the apps using them have exited). */
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

// ————— the main process under the stand-in —————

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface StandInDisplay {
  id: number;
  bounds: Rect;
  workArea: Rect;
}

/** GENNERATOR_ELECTRON_STAND_IN: what electron.mjs reads. */
export interface StandInConfig {
  /** app.getPath(name); any other name throws. */
  paths: { userData: string; documents: string } & Record<string, string>;
  appPath: string;
  isPackaged?: boolean;
  /** What app.requestSingleInstanceLock() returns (default true). */
  singleInstanceLock?: boolean;
  /** screen.getAllDisplays(); the first is primary. Default: one 1920×1080 display. */
  displays?: StandInDisplay[];
  /** Fake engines do not exit on 'stop' until the test says so (op engineExit). */
  holdStops?: boolean;
}

export interface WindowSnapshot {
  id: number;
  options: {
    x?: number;
    y?: number;
    width?: number;
    height?: number;
    title?: string;
    show?: boolean;
    webPreferences?: Record<string, unknown>;
  };
  bounds: Rect;
  maximized: boolean;
  visible: boolean;
  destroyed: boolean;
  loaded: { file: string } | { url: string } | null;
  url: string;
  sent: Array<{ channel: string; args: unknown[] }>;
  listeners: string[];
  webContentsListeners: string[];
  hasWindowOpenHandler: boolean;
}

export interface ForkSnapshot {
  index: number;
  modulePath: string;
  args: string[];
  options: Record<string, unknown>;
  received: Array<{ type: string } & Record<string, unknown>>;
  exitCode: number | null;
  killed: boolean;
}

export interface MenuItemSnapshot {
  label?: string;
  role?: string;
  type?: string;
  submenu?: MenuItemSnapshot[];
}

export interface Snapshot {
  ready: boolean;
  timeline: string[];
  setPaths: Record<string, string>;
  windows: WindowSnapshot[];
  ipcHandlers: string[];
  ipcListeners: string[];
  forks: ForkSnapshot[];
  menu: MenuItemSnapshot[] | null;
  aboutPanel: Record<string, unknown> | null;
  openedExternal: string[];
  headersFilter: unknown;
  hasHeadersListener: boolean;
  hasPermissionRequestHandler: boolean;
  errorBoxes: Array<{ title: string; content: string }>;
  saveDialogs: Array<{ parent: number | null; options: { title?: string; defaultPath?: string; filters?: Array<{ name: string; extensions: string[] }> } }>;
  appListeners: string[];
}

/** The answer to an `invoke`: what the renderer's ipcRenderer.invoke would resolve or reject with. */
export type InvokeOutcome = { result: unknown; error?: undefined } | { error: string; result?: undefined };

export interface StandInApp {
  child: ChildProcess;
  request<T = unknown>(op: string, args?: Record<string, unknown>): Promise<T>;
  snapshot(): Promise<Snapshot>;
  /**
   * Polls the snapshot until `predicate` holds. The limit only stops a hung app (with the timeline
   * and output, which the test's own limit in vitest.config.ts would not show): far above what a
   * loaded machine needs.
   */
  waitFor(what: string, predicate: (snapshot: Snapshot) => boolean, timeoutMs?: number): Promise<Snapshot>;
  /** Calls the IPC.call handler (default: from our window's top frame). */
  invoke(channel: string, args: unknown[], from?: 'window' | 'other-webcontents' | 'subframe', frameUrl?: string): Promise<InvokeOutcome>;
  /** Resolves when the process ends: the stand-in's exit report (after app quit), or null if it died otherwise. */
  exited: Promise<{ code: number | null; snapshot: Snapshot | null }>;
  output(): string;
  /** Kills the process if it still runs; resolves once it has exited. */
  kill(): Promise<void>;
}

/**
 * Starts the built main process under the stand-in. The environment is the test's own minus
 * anything that would point the app at real data or a dev server.
 */
export function startApp(built: BuiltApp, config: StandInConfig, env: NodeJS.ProcessEnv = {}): StandInApp {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['GENNERATOR_HOME', 'GENNERATOR_DB', 'ELECTRON_RENDERER_URL', 'NODE_OPTIONS']) delete childEnv[name];
  Object.assign(childEnv, env, { GENNERATOR_ELECTRON_STAND_IN: JSON.stringify(config) });

  const child = fork(LAUNCHER, [built.main], { cwd: REPO_ROOT, env: childEnv, execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));

  let nextId = 0;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let exitReport: { code: number | null; snapshot: Snapshot } | null = null;
  child.on('message', (raw) => {
    const message = raw as { id?: number; ok?: boolean; value?: unknown; error?: string; event?: string; code?: number; snapshot?: Snapshot; message?: string };
    if (message.event === 'exit') exitReport = { code: message.code ?? null, snapshot: message.snapshot! };
    if (message.event === 'load-error') output += `\n[stand-in] main failed to load: ${message.message}\n`;
    if (typeof message.id !== 'number') return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.ok) waiter?.resolve(message.value);
    else waiter?.reject(new Error(`stand-in op failed: ${message.error}\n--- app output ---\n${output}`));
  });
  const exited = new Promise<{ code: number | null; snapshot: Snapshot | null }>((resolveExit) =>
    child.on('exit', (code) => {
      for (const waiter of pending.values()) waiter.reject(new Error(`the app exited (code ${code}) before answering\n--- app output ---\n${output}`));
      pending.clear();
      resolveExit({ code, snapshot: exitReport?.snapshot ?? null });
    }),
  );

  const request = <T>(op: string, args: Record<string, unknown> = {}) =>
    new Promise<T>((resolveRequest, reject) => {
      if (child.exitCode !== null || !child.connected) return reject(new Error(`the app is not running\n--- app output ---\n${output}`));
      const id = nextId++;
      pending.set(id, { resolve: resolveRequest as (value: unknown) => void, reject });
      child.send({ id, op, ...args });
    });
  const snapshot = () => request<Snapshot>('snapshot');

  return {
    child,
    request,
    snapshot,
    async waitFor(what, predicate, timeoutMs = 200_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const current = await snapshot();
        if (predicate(current)) return current;
        if (Date.now() > deadline) {
          throw new Error(`timed out waiting for ${what}\ntimeline: ${current.timeline.join(', ')}\n--- app output ---\n${output}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    invoke: (channel, args, from = 'window', frameUrl) => request<InvokeOutcome>('invoke', { channel, args, from, ...(frameUrl !== undefined && { frameUrl }) }),
    exited,
    output: () => output,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
      await exited;
    },
  };
}

/** A stand-in configuration whose every path lies in a fresh temporary directory. */
export function standInConfig(overrides: Partial<StandInConfig> & { userData?: string } = {}): StandInConfig {
  const { userData, ...rest } = overrides;
  const home = tempDir();
  return {
    paths: { userData: userData ?? join(home, 'userData'), documents: join(home, 'documents') },
    appPath: REPO_ROOT,
    ...rest,
  };
}

// ————— the preload —————

export interface PreloadRun {
  /** Module ids the preload required. */
  required: string[];
  /** contextBridge.exposeInMainWorld calls, in order. */
  exposed: Array<{ key: string; api: unknown }>;
  /** ipcRenderer.invoke calls. */
  invoked: unknown[][];
  /** ipcRenderer listeners by channel. */
  listeners: Map<string, Array<(...args: unknown[]) => void>>;
  /** Every object and function of the stand-in `electron` module (none may reach the renderer). */
  electronValues: Set<unknown>;
}

/**
 * Runs the built preload (CommonJS) in a fresh V8 context with a `require` that knows only
 * 'electron', which is a stand-in recording contextBridge and ipcRenderer calls.
 */
export function loadPreload(file: string, invokeResult: (channel: string, ...args: unknown[]) => unknown = () => undefined): PreloadRun {
  const run: PreloadRun = { required: [], exposed: [], invoked: [], listeners: new Map(), electronValues: new Set() };
  const ipcRenderer = {
    invoke: (channel: string, ...args: unknown[]) => {
      run.invoked.push([channel, ...args]);
      return Promise.resolve(invokeResult(channel, ...args));
    },
    on: (channel: string, listener: (...args: unknown[]) => void) => {
      run.listeners.set(channel, [...(run.listeners.get(channel) ?? []), listener]);
      return ipcRenderer;
    },
    off: (channel: string, listener: (...args: unknown[]) => void) => {
      run.listeners.set(channel, (run.listeners.get(channel) ?? []).filter((l) => l !== listener));
      return ipcRenderer;
    },
    removeListener: (channel: string, listener: (...args: unknown[]) => void) => ipcRenderer.off(channel, listener),
    send: () => {
      throw new Error('the preload should not use ipcRenderer.send');
    },
    sendSync: () => {
      throw new Error('the preload should not use ipcRenderer.sendSync');
    },
  };
  const contextBridge = {
    exposeInMainWorld: (key: string, api: unknown) => {
      run.exposed.push({ key, api });
    },
  };
  const electron = { contextBridge, ipcRenderer };
  for (const value of [electron, contextBridge, ipcRenderer, ...Object.values(contextBridge), ...Object.values(ipcRenderer)]) run.electronValues.add(value);

  const requireStandIn = (id: string) => {
    run.required.push(id);
    if (id === 'electron') return electron;
    throw new Error(`a sandboxed preload cannot require '${id}'`);
  };
  const module = { exports: {} };
  const code = readFileSync(file, 'utf8');
  const wrapper = vm.runInNewContext(`(function (exports, require, module, __filename, __dirname) {${code}\n})`, {}, { filename: file }) as (
    exports: unknown,
    require: (id: string) => unknown,
    module: unknown,
    filename: string,
    dirname: string,
  ) => void;
  wrapper(module.exports, requireStandIn, module, file, dirname(file));
  return run;
}
