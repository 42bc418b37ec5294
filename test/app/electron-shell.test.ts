/**
 * The Electron shell (src/main/index.ts, window.ts, menu.ts and the preload), checked without
 * Electron, whose binary cannot be downloaded here. The app is built with electron-vite into a
 * directory of this test's own; the BUILT main process (out/main/index.js) then runs in a Node child
 * process in which `electron` resolves to a stand-in (test/support/electron-stand-in/electron.mjs)
 * that records what main does and lets the test drive it: call the IPC handler as a renderer would,
 * feed it response headers and navigations, move and close the window, quit. The built preload runs
 * in a fresh V8 context with a stand-in `require('electron')`.
 *
 * Every path the stand-in's app.getPath gives is a temporary directory: no test touches real data.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/main/db/history-store';
import { IPC } from '../../src/preload/channels';
import type { AppInfo, ExportDelivery } from '../../src/shared/api';
import { unzipSync } from 'fflate';
import { createRun, finished, proposed } from '../main/db/helpers';
import {
  buildApp,
  loadPreload,
  removeTempDirs,
  REPO_ROOT,
  standInConfig,
  startApp,
  tempDir,
  type BuiltApp,
  type InvokeOutcome,
  type Snapshot,
  type StandInApp,
  type StandInDisplay,
  type WindowSnapshot,
} from '../support/electron-stand-in/harness';

let built: BuiltApp;
let buildRoot: string;

beforeAll(async () => {
  // Under the repository, so the build's bare imports (zod, better-sqlite3…) resolve from node_modules.
  mkdirSync(join(REPO_ROOT, '.tmp'), { recursive: true });
  buildRoot = mkdtempSync(join(REPO_ROOT, '.tmp', 'electron-shell-'));
  built = await buildApp(join(buildRoot, 'out'));
}, 300_000);

afterAll(() => {
  if (buildRoot) rmSync(buildRoot, { recursive: true, force: true });
  removeTempDirs();
});

const call = (app: StandInApp, method: unknown, params?: unknown, from?: 'window' | 'other-webcontents' | 'subframe', frameUrl?: string) =>
  app.invoke(IPC.call, [method, params], from, frameUrl);

/** The result of a call that must succeed. */
async function callOk<T>(app: StandInApp, method: string, params: unknown = {}): Promise<T> {
  const outcome = await call(app, method, params);
  if (outcome.error !== undefined) throw new Error(`${method} failed: ${outcome.error}`);
  return outcome.result as T;
}

const onlyWindow = (snapshot: Snapshot): WindowSnapshot => {
  const open = snapshot.windows.filter((w) => !w.destroyed);
  expect(open).toHaveLength(1);
  return open[0];
};

const VALID_RUN = { evaluator: 'nb201', strategy: 'random', budget: 5, seed: 1 };
const actionSet = (name: string) => JSON.parse(readFileSync(join(REPO_ROOT, 'resources/action-sets', name), 'utf8')) as unknown;

describe('main process under the Electron stand-in', () => {
  let app: StandInApp;
  let userData: string;
  let started: Snapshot;

  beforeAll(async () => {
    // Stops are held so that the quit test can see will-quit wait for the run to stop.
    const config = standInConfig({ holdStops: true });
    userData = config.paths.userData;
    app = startApp(built, config);
    // Up: one window, and the backend probe (the first engine process) has answered and exited.
    started = await app.waitFor('the window and the backend probe', (s) => s.windows.length === 1 && s.forks[0]?.exitCode === 0);
  });

  afterAll(async () => {
    await app?.kill();
  });

  it('opens one window with the security settings, the built preload and the built renderer', async () => {
    const window = onlyWindow(await app.snapshot());
    expect(window.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(window.options.webPreferences).not.toHaveProperty('nodeIntegrationInWorker', true);
    expect(window.options.webPreferences?.preload).toBe(built.preload);
    expect(existsSync(built.preload)).toBe(true);
    expect(window.options.title).toBe('geNNerator');
    // Created hidden, shown once the renderer is ready to show.
    expect(window.options.show).toBe(false);
    expect(window.visible).toBe(true);
    expect(window.loaded).toEqual({ file: built.rendererIndex });
    expect(existsSync(built.rendererIndex)).toBe(true);
    // First start: no remembered bounds, so the default size, centred by Electron.
    expect(window.options).toMatchObject({ width: 1280, height: 800 });
    expect(window.options).not.toHaveProperty('x');
    expect(window.options).not.toHaveProperty('y');
    expect(started.timeline.filter((e) => e.endsWith(':new') && e.startsWith('BrowserWindow'))).toHaveLength(1);
  });

  it('sends a strict Content-Security-Policy header with the app’s own files, and only those', async () => {
    const page = pathToFileURL(built.rendererIndex).href;
    const response = await app.request<{ responseHeaders?: Record<string, string[]> }>('headers', {
      url: page,
      responseHeaders: { 'content-security-policy': ["default-src *; script-src * 'unsafe-eval'"], 'X-Kept': ['1'] },
    });
    const headers = response.responseHeaders ?? {};
    const cspKeys = Object.keys(headers).filter((name) => name.toLowerCase() === 'content-security-policy');
    expect(cspKeys, 'one policy, replacing any the response had').toHaveLength(1);
    expect(headers['X-Kept']).toEqual(['1']);
    const policy = headers[cspKeys[0]];
    expect(policy).toHaveLength(1);
    const directives = new Map(policy[0].split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name, sources]));
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy[0]).not.toMatch(/unsafe-eval|\*/);

    // The header never forbids what the page's own <meta> policy allows for scripts and styles.
    const html = readFileSync(built.rendererIndex, 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta, 'the built index.html has a meta CSP').toBeDefined();
    const metaDirectives = new Map(meta!.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name, sources]));
    for (const name of ['default-src', 'script-src', 'style-src']) expect(directives.get(name), name).toEqual(metaDirectives.get(name));

    // The page's scripts come with it too; a response from anywhere else is left alone.
    const script = await app.request<{ responseHeaders?: Record<string, string[]> }>('headers', { url: new URL('./assets/index.js', page).href, resourceType: 'script' });
    expect(script.responseHeaders?.['Content-Security-Policy']).toEqual(policy);
    expect(await app.request('headers', { url: 'https://example.com/', responseHeaders: { a: ['b'] } })).toEqual({});
    expect(await app.request('headers', { url: 'file:///etc/hosts' })).toEqual({});
  });

  it('blocks navigation, new windows and webviews; web links open in the browser; permissions are refused', async () => {
    const page = pathToFileURL(built.rendererIndex).href;
    const navigate = async (url: string) => (await app.request<{ prevented: boolean }>('navigate', { url })).prevented;
    expect(await navigate(page)).toBe(false);
    expect(await navigate(`${page}#history`)).toBe(false);
    expect(await navigate('https://example.com/')).toBe(true);
    expect(await navigate('file:///etc/passwd')).toBe(true);
    expect(await navigate(new URL('./assets/index.js', page).href)).toBe(true);
    expect(await navigate('javascript:alert(1)')).toBe(true);

    const open = (url: string) => app.request<{ result: unknown; opened: string[] }>('windowOpen', { url });
    expect(await open('https://example.com/docs?q=1')).toEqual({ result: { action: 'deny' }, opened: ['https://example.com/docs?q=1'] });
    expect(await open('http://example.com/')).toEqual({ result: { action: 'deny' }, opened: ['http://example.com/'] });
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', page, 'smb://host/share', 'not a url']) {
      expect(await open(url), url).toEqual({ result: { action: 'deny' }, opened: [] });
    }

    expect(await app.request<{ prevented: boolean }>('attachWebview')).toEqual({ prevented: true });

    for (const permission of ['geolocation', 'media', 'notifications', 'openExternal', 'clipboard-read']) {
      expect(await app.request('permission', { permission }), permission).toBe(false);
    }
    expect(await app.request('permission', { permission: 'clipboard-sanitized-write' })).toBe(true);
  });

  it('has an application menu with Quit, the edit roles (copy/paste), the view roles and About', async () => {
    const { menu, aboutPanel } = await app.snapshot();
    expect(menu).not.toBeNull();
    const submenu = (label: string) => menu!.find((m) => m.label === label || m.role === label.toLowerCase())?.submenu?.map((item) => item.role).filter(Boolean);
    expect(submenu('File')).toEqual(['quit']);
    expect(submenu('Edit')).toEqual(expect.arrayContaining(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']));
    expect(submenu('View')).toEqual(expect.arrayContaining(['reload', 'toggleDevTools', 'resetZoom', 'zoomIn', 'zoomOut']));
    expect(submenu('Help')).toEqual(['about']);
    expect(aboutPanel).toMatchObject({ applicationName: 'geNNerator' });
  });

  it('registers exactly one IPC handler, for IPC.call, and refuses callers other than the window’s page', async () => {
    const snapshot = await app.snapshot();
    expect(snapshot.ipcHandlers).toEqual([IPC.call]);
    // Nothing listens with ipcMain.on; IPC.update and IPC.tuneUpdate only go from main to the renderer.
    expect(snapshot.ipcListeners).toEqual([]);
    expect(Object.values(IPC).filter((channel) => channel !== IPC.update && channel !== IPC.tuneUpdate)).toEqual(snapshot.ipcHandlers);

    const save = { name: 'written by an untrusted sender', spec: actionSet('mlp.json') };
    const untrusted: Array<[string, Promise<InvokeOutcome>]> = [
      ['another webContents', call(app, 'actionSets.save', save, 'other-webcontents')],
      ['a subframe of the window', call(app, 'actionSets.save', save, 'subframe')],
      ['the window showing another page', call(app, 'actionSets.save', save, 'window', 'https://evil.example/')],
      ['another webContents, read only', call(app, 'app.info', {}, 'other-webcontents')],
    ];
    for (const [who, outcome] of untrusted) expect((await outcome).error, who).toMatch(/untrusted sender/);
    const names = (await callOk<Array<{ name: string }>>(app, 'actionSets.list')).map((row) => row.name);
    expect(names).not.toContain(save.name);
  });

  it('validates every payload: an unknown method or bad params is refused, naming the method and field, and nothing is written', async () => {
    const before = await app.snapshot();
    const actionSetsBefore = await callOk<unknown[]>(app, 'actionSets.list');
    expect(await callOk(app, 'runs.list')).toEqual([]);

    const bad: Array<[method: unknown, params: unknown, mentions: string[]]> = [
      ['runs.nuke', {}, ['unknown API method "runs.nuke"']],
      [{ toString: null }, {}, ['API method must be a string']],
      [42, {}, ['API method must be a string']],
      ['__proto__', {}, ['unknown API method']],
      ['app.info', 'all of it', ['app.info']],
      ['app.info', { extra: true }, ['app.info', 'extra']],
      ['runs.start', { config: { ...VALID_RUN, budget: 0 } }, ['runs.start', 'config.budget']],
      ['runs.start', { config: VALID_RUN, alsoRun: 'rm -rf' }, ['runs.start', 'alsoRun']],
      ['runs.start', { config: { ...VALID_RUN, evaluator: 'shell' } }, ['runs.start', 'config.evaluator']],
      // Cross-field checks are part of the schema: refused here, before a run is recorded.
      ['runs.start', { config: { ...VALID_RUN, evaluator: 'training' } }, ['runs.start', 'config.actionSet', 'needs an action set']],
      [
        'runs.start',
        { config: { ...VALID_RUN, evaluator: 'training', dataset: 'synthetic', actionSet: { name: 'too-deep', maxLayers: 1, nodes: [{ id: 'p', layer: { type: 'maxPool' } }], edges: [{ from: 'input', to: 'p' }, { from: 'p', to: 'p' }] } } },
        ['runs.start', 'config.actionSet', 'allows no network for the synthetic input'],
      ],
      ['actionSets.save', { name: 'broken', spec: { nodes: 'none' } }, ['actionSets.save', 'spec']],
      ['actionSets.delete', { id: 'all' }, ['actionSets.delete', 'id']],
      ['runs.rename', { runId: '', name: 'x' }, ['runs.rename', 'runId']],
      ['runs.export', { runId: 'r', dir: 42 }, ['runs.export', 'dir']],
      ['runs.exportArchive', { runId: 'r', dir: '/tmp' }, ['runs.exportArchive', 'dir']],
    ];
    for (const [method, params, mentions] of bad) {
      const outcome = await call(app, method, params);
      expect(outcome.error, `${String(JSON.stringify(method))} ${JSON.stringify(params)}`).toBeDefined();
      for (const text of mentions) expect(outcome.error).toContain(text);
    }

    // Nothing was written or started.
    expect(await callOk(app, 'runs.list')).toEqual([]);
    expect(await callOk(app, 'actionSets.list')).toEqual(actionSetsBefore);
    const after = await app.snapshot();
    expect(after.forks).toHaveLength(before.forks.length);
    expect(onlyWindow(after).sent).toEqual(onlyWindow(before).sent);
  });

  it('answers app.info from a real database in the (temporary) user data directory', async () => {
    const info = await callOk<AppInfo>(app, 'app.info');
    expect(info).toEqual({
      backend: { name: 'cpu', tfBackend: 'cpu', device: 'stand-in CPU', probes: [{ name: 'cpu', available: true }] },
      dbPath: join(userData, 'history.db'),
      activeRuns: [],
      shell: 'electron',
      defaultExportDir: expect.stringContaining(`${sep}documents${sep}geNNerator exports`),
    });
    expect(existsSync(info.dbPath)).toBe(true);
    // Seeded from resources/action-sets on first start.
    const names = (await callOk<Array<{ name: string }>>(app, 'actionSets.list')).map((row) => row.name);
    expect(names).toEqual(expect.arrayContaining(['mlp', 'metaqnn']));
  });

  it('brings the window forward when a second instance starts', async () => {
    await app.request('emitApp', { event: 'second-instance', args: [['geNNerator'], REPO_ROOT, {}] });
    expect((await app.snapshot()).timeline).toContain('BrowserWindow#1.focus()');
  });

  it('exports a run as a zip where the save dialog (parented to the window) says, and writes nothing when it is cancelled', async () => {
    // A finished run with kept weights, recorded through a second connection to the app's history.
    const store = HistoryStore.open(join(userData, 'history.db'));
    let exported: string;
    try {
      exported = createRun(store);
      store.recordEvent(exported, proposed(0));
      store.recordEvent(exported, finished(0, { signal: 0.7 }), { checkpoint: { after: 0 }, model: { topology: { class_name: 'Sequential' }, weightSpecs: [], weightData: new Uint8Array([1, 2, 3]) } });
      store.recordEvent(exported, { type: 'run_finished', status: 'completed', evaluations: 1, cacheHits: 0, bestIndex: 0 });
    } finally {
      store.close();
    }
    const target = join(tempDir(), 'chosen', 'my-export.zip');
    mkdirSync(join(target, '..'), { recursive: true });
    await app.request('answerSaveDialog', { answer: { filePath: target } });
    const saved = await callOk<ExportDelivery>(app, 'runs.exportArchive', { runId: exported });
    expect(saved).toEqual({ kind: 'saved', path: target, index: 0, entries: expect.arrayContaining([expect.stringMatching(/\/model\.json$/), expect.stringMatching(/\/history\.json$/)]) });
    const files = unzipSync(new Uint8Array(readFileSync(target)));
    expect(Object.keys(files).map((f) => f.split('/').pop()).sort()).toEqual(['architecture.json', 'candidates.csv', 'epochs.csv', 'history.json', 'model.json', 'weights.bin']);

    const dialogs = (await app.snapshot()).saveDialogs;
    expect(dialogs).toHaveLength(1);
    expect(dialogs[0].parent).toBe(onlyWindow(await app.snapshot()).id);
    expect(dialogs[0].options).toMatchObject({ defaultPath: expect.stringMatching(new RegExp(`documents[\\\\/]gennerator-${exported.slice(0, 8)}-best-0\\.zip$`)), filters: [{ name: 'Zip archive', extensions: ['zip'] }] });

    // Cancelled: nothing written.
    const cancelled = await callOk<ExportDelivery>(app, 'runs.exportArchive', { runId: exported, index: 0 });
    expect(cancelled).toEqual({ kind: 'cancelled' });
    expect((await app.snapshot()).saveDialogs).toHaveLength(2);
    expect(readdirSync(join(target, '..'))).toEqual(['my-export.zip']);
  });

  let runId: string;

  it('runs the engine in a utility process forked from the built engine chunk', async () => {
    // The backend probe was the first engine process.
    const [probe] = started.forks;
    expect(probe.modulePath).toBe(built.engineChunk);
    expect(probe.modulePath).toMatch(/[\\/]main[\\/]chunks[\\/]engine-process-[\w-]+\.js$/);
    expect(existsSync(probe.modulePath)).toBe(true);
    expect(probe.options).toMatchObject({ serviceName: 'geNNerator engine' });
    // …and knows where the built evaluation worker is, to fork its workers from it.
    const workerEntry = (probe.options as { env?: Record<string, string> }).env?.GENNERATOR_EVALUATION_WORKER;
    expect(workerEntry).toMatch(/[\\/]main[\\/]chunks[\\/]worker-process-[\w-]+\.js$/);
    expect(existsSync(workerEntry!)).toBe(true);
    expect(probe.received.map((m) => m.type)).toEqual(['probe', 'shutdown']);

    // A run gets an engine process of its own, from the same chunk.
    ({ runId } = await callOk<{ runId: string }>(app, 'runs.start', { config: VALID_RUN }));
    const snapshot = await app.waitFor('the run’s engine to get its start message', (s) => s.forks[1]?.received.some((m) => m.type === 'start') ?? false);
    expect(snapshot.forks).toHaveLength(2);
    expect(snapshot.forks[1].modulePath).toBe(built.engineChunk);
    expect(snapshot.forks[1].received[0]).toMatchObject({ type: 'start', runId, budget: 5 });
    // The window hears about it on IPC.update.
    expect(onlyWindow(snapshot).sent).toContainEqual({ channel: IPC.update, args: [{ runId, kind: 'status', status: 'running' }] });
    expect((await callOk<AppInfo>(app, 'app.info')).activeRuns).toEqual([runId]);
  });

  it('on quit, holds will-quit until services.shutdown() has stopped the running run, then exits', async () => {
    expect(runId).toBeDefined();
    await app.request('quit');
    const stopping = await app.waitFor('the run’s engine to be told to stop', (s) => s.timeline.includes('engine#1:stop'));
    expect(stopping.timeline).toContain('will-quit:prevented');
    // The engine has not exited yet (stops are held): the app must still be waiting.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const waiting = await app.snapshot();
    expect(waiting.timeline).not.toContain('quit');
    expect(app.child.exitCode).toBeNull();

    await app.request('engineExit', { index: 1, code: 0 });
    const { code, snapshot } = await app.exited;
    expect(code, app.output()).toBe(0);
    const timeline = snapshot!.timeline;
    expect(timeline.indexOf('engine#1:exit(0)')).toBeGreaterThan(timeline.indexOf('will-quit:prevented'));
    expect(timeline.indexOf('quit')).toBeGreaterThan(timeline.indexOf('engine#1:exit(0)'));
    expect(snapshot!.forks[1].killed).toBe(false);

    // The run was recorded as stopped (resumable), and the store was closed cleanly.
    const store = HistoryStore.open(join(userData, 'history.db'));
    try {
      expect(store.getRun(runId)?.status).toBe('stopped');
    } finally {
      store.close();
    }
  });
});

describe('window bounds are remembered between launches', () => {
  const primary: StandInDisplay = { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 0, width: 1920, height: 1040 } };
  const secondary: StandInDisplay = { id: 2, bounds: { x: 1920, y: 0, width: 2560, height: 1440 }, workArea: { x: 1920, y: 0, width: 2560, height: 1400 } };
  let userData: string;
  let stateFile: string;

  beforeAll(() => {
    userData = join(tempDir(), 'userData');
    stateFile = join(userData, 'window-state.json');
  });

  /** Starts the app with `displays` and returns its window's constructor options. */
  async function launch(displays: StandInDisplay[]) {
    const app = startApp(built, standInConfig({ userData, displays }));
    const snapshot = await app.waitFor('the window', (s) => s.windows.length === 1);
    return { app, window: snapshot.windows[0] };
  }

  it('saves the bounds after moves (debounced) and on close, and restores them on the next start', async () => {
    const first = await launch([primary, secondary]);
    try {
      expect(first.window.options).toMatchObject({ width: 1280, height: 800 });
      // Moved to the second monitor: written shortly after, not on every move event.
      const moved = await first.app.request<{ at: number }>('setBounds', { bounds: { x: 2200, y: 150, width: 1100, height: 720 } });
      await first.app.waitFor('window-state.json', () => existsSync(stateFile));
      // Written once the moves had stopped for the debounce delay (400 ms), not at the move itself.
      expect(statSync(stateFile).mtimeMs).toBeGreaterThanOrEqual(moved.at + 300);
      expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toEqual({ x: 2200, y: 150, width: 1100, height: 720, maximized: false });

      // Moved again and closed at once: saved on close. Closing the last window quits (not macOS).
      await first.app.request('setBounds', { bounds: { x: 2300, y: 200, width: 1000, height: 700 } });
      await first.app.request('closeWindow');
      expect((await first.app.exited).code, first.app.output()).toBe(0);
      expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toEqual({ x: 2300, y: 200, width: 1000, height: 700, maximized: false });
    } finally {
      await first.app.kill();
    }

    const second = await launch([primary, secondary]);
    try {
      expect(second.window.options).toMatchObject({ x: 2300, y: 200, width: 1000, height: 700 });
      expect(second.window.maximized).toBe(false);
      // Maximized, then quit: the normal bounds are kept, with the maximized flag.
      await second.app.request('maximize');
      await second.app.request('quit');
      expect((await second.app.exited).code).toBe(0);
      expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toEqual({ x: 2300, y: 200, width: 1000, height: 700, maximized: true });
    } finally {
      await second.app.kill();
    }

    const third = await launch([primary, secondary]);
    try {
      expect(third.window.options).toMatchObject({ x: 2300, y: 200, width: 1000, height: 700 });
      const shown = await third.app.waitFor('the window to be shown', (s) => s.timeline.includes('BrowserWindow#1.show()'));
      const timeline = shown.timeline;
      expect(timeline.indexOf('BrowserWindow#1.maximize()')).toBeGreaterThan(-1);
      expect(timeline.indexOf('BrowserWindow#1.maximize()')).toBeLessThan(timeline.indexOf('BrowserWindow#1.show()'));
    } finally {
      await third.app.kill();
    }
  });

  it('falls back to 1280×800 when the remembered position is on no display any more', async () => {
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toMatchObject({ x: 2300 });
    // The second monitor is gone.
    const { app, window } = await launch([primary]);
    try {
      expect(window.options).toMatchObject({ width: 1280, height: 800 });
      expect(window.options).not.toHaveProperty('x');
      expect(window.options).not.toHaveProperty('y');
    } finally {
      await app.kill();
    }
  });

  it('ignores a damaged window-state.json', async () => {
    writeFileSync(stateFile, '{ "x": "left", "width": 5');
    const { app, window } = await launch([primary]);
    try {
      expect(window.options).toMatchObject({ width: 1280, height: 800 });
      expect(window.options).not.toHaveProperty('x');
    } finally {
      await app.kill();
    }
  });
});

describe('start-up', () => {
  it('quits at once, without a window or IPC, when another instance holds the lock; GENNERATOR_HOME moves userData first', async () => {
    const home = join(tempDir(), 'home');
    const app = startApp(built, standInConfig({ singleInstanceLock: false }), { GENNERATOR_HOME: home });
    const { code, snapshot } = await app.exited;
    expect(code, app.output()).toBe(0);
    expect(snapshot!.windows).toEqual([]);
    expect(snapshot!.ipcHandlers).toEqual([]);
    expect(snapshot!.forks).toEqual([]);
    expect(snapshot!.setPaths).toEqual({ userData: home });
    // The single-instance lock lives in userData, so it must be moved before the lock is taken.
    const timeline = snapshot!.timeline;
    expect(timeline.indexOf('app.setPath(userData)')).toBeLessThan(timeline.indexOf('app.requestSingleInstanceLock()'));
    expect(timeline).toContain('app.quit()');
  });
});

describe('preload (built out/preload/index.cjs)', () => {
  it('exposes exactly one object, gennerator, with call, onUpdate and onTuneUpdate over IPC, and never ipcRenderer', async () => {
    const run = loadPreload(built.preload, (channel, method) => ({ answered: channel, method }));
    expect(run.required).toEqual(['electron']);
    expect(run.exposed.map((e) => e.key)).toEqual(['gennerator']);
    const api = run.exposed[0].api as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(['call', 'onTuneUpdate', 'onUpdate']);
    expect(typeof api.call).toBe('function');
    expect(typeof api.onUpdate).toBe('function');

    // Nothing of the electron module is reachable from what the renderer gets.
    const seen = new Set<unknown>();
    const visit = (value: unknown, path: string) => {
      if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value)) return;
      seen.add(value);
      expect(run.electronValues.has(value), `${path} is part of the electron module`).toBe(false);
      for (const key of Object.getOwnPropertyNames(value)) {
        if (typeof value === 'function' && ['caller', 'callee', 'arguments'].includes(key)) continue;
        visit((value as Record<string, unknown>)[key], `${path}.${key}`);
      }
    };
    visit(api, 'gennerator');

    // call(method, params) is one invoke on IPC.call.
    const call = api.call as (method: string, params: unknown) => Promise<unknown>;
    expect(await call('app.info', {})).toEqual({ answered: IPC.call, method: 'app.info' });
    expect(run.invoked).toEqual([[IPC.call, 'app.info', {}]]);

    // onUpdate listens on IPC.update, hands the listener the update only (not the event, which holds
    // `sender`), and returns the unsubscribe.
    expect(run.listeners.get(IPC.update) ?? []).toHaveLength(0);
    const updates: unknown[][] = [];
    const unsubscribe = (api.onUpdate as (listener: (...args: unknown[]) => void) => () => void)((...args) => updates.push(args));
    const [forward] = run.listeners.get(IPC.update) ?? [];
    expect(forward).toBeTypeOf('function');
    const update = { runId: 'r1', kind: 'status', status: 'running' };
    forward({ sender: 'the ipcRenderer' }, update);
    expect(updates).toEqual([[update]]);
    unsubscribe();
    expect(run.listeners.get(IPC.update)).toEqual([]);

    // onTuneUpdate: the same on IPC.tuneUpdate.
    const tuneUpdates: unknown[][] = [];
    const unsubscribeTune = (api.onTuneUpdate as (listener: (...args: unknown[]) => void) => () => void)((...args) => tuneUpdates.push(args));
    const [forwardTune] = run.listeners.get(IPC.tuneUpdate) ?? [];
    const tuneUpdate = { job: { kind: 'learn', controller: 'c' }, kind: 'status', status: 'learning' };
    forwardTune({ sender: 'the ipcRenderer' }, tuneUpdate);
    expect(tuneUpdates).toEqual([[tuneUpdate]]);
    unsubscribeTune();
    expect(run.listeners.get(IPC.tuneUpdate)).toEqual([]);
    expect([...run.listeners.keys()].filter((channel) => channel !== IPC.update && channel !== IPC.tuneUpdate)).toEqual([]);
  });
});
