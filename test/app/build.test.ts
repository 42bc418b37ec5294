/**
 * The Electron build, checked without Electron (its binary cannot be downloaded here): runs
 * `electron-vite build` once, inspects what it wrote to out/, and runs the built engine chunk under
 * plain Node with a stand-in for Electron's `process.parentPort`.
 */
import { execFile, fork } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { probeBackends } from '../../src/engine/backends';
import { BACKEND_NAMES } from '../../src/shared/backend';
import { engineToMainSchema, type EngineToMain } from '../../src/shared/engine-messages';

const root = resolve(import.meta.dirname, '../..');
const out = join(root, 'out');

/** Files under `dir`, as paths relative to it, with forward slashes. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => statSync(join(dir, name)).isFile())
    .map((name) => name.split('\\').join('/'))
    .sort();
}

const read = (path: string) => readFileSync(path, 'utf8');

/** Bare module specifiers a bundle imports or requires (static and dynamic). */
function importedSpecifiers(code: string): string[] {
  return moduleSpecifiers(code).filter((s) => !s.startsWith('.') && !s.startsWith('/'));
}

/** Every module specifier a bundle imports or requires (static and dynamic). */
function moduleSpecifiers(code: string): string[] {
  const specifiers = new Set<string>();
  const patterns = [
    /\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
    /\brequire\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of code.matchAll(pattern)) specifiers.add(match[1]);
  return [...specifiers];
}

let buildLog = '';

beforeAll(async () => {
  // The local electron-vite CLI, what `npx electron-vite build` / `npm run build` run.
  const cli = join(root, 'node_modules/electron-vite/bin/electron-vite.js');
  const started = Date.now();
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, 'build'], {
      cwd: root,
      timeout: 300_000,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, NO_COLOR: '1' },
    });
    buildLog = stdout + stderr;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`electron-vite build failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
  buildLog += `\n(build took ${((Date.now() - started) / 1000).toFixed(1)} s)`;
}, 300_000);

describe('electron-vite build', () => {
  it('emits main, preload, renderer and the engine chunk', () => {
    const files = listFiles(out);
    expect(files, buildLog).toContain('main/index.js');
    expect(files).toContain('preload/index.cjs');
    expect(files).toContain('renderer/index.html');
    expect(files.filter((f) => /^main\/chunks\/engine-process-[\w-]+\.js$/.test(f))).toHaveLength(1);
    expect(files.filter((f) => /^main\/chunks\/worker-process-[\w-]+\.js$/.test(f))).toHaveLength(1);
  });

  it('main hands the engine the evaluation worker chunk by file name (the engine forks its workers from it)', () => {
    const workerChunk = listFiles(join(out, 'main')).find((f) => /^chunks\/worker-process-/.test(f));
    const main = read(join(out, 'main/index.js'));
    expect(main).toContain(JSON.stringify(`./${workerChunk}`));
    expect(main).toContain('GENNERATOR_EVALUATION_WORKER');
  });

  it('main points at the engine chunk by file name (utilityProcess.fork path)', () => {
    const engineChunk = listFiles(join(out, 'main')).find((f) => /^chunks\/engine-process-/.test(f));
    expect(engineChunk).toBeDefined();
    const main = read(join(out, 'main/index.js'));
    // ?modulePath becomes join(import.meta.dirname, "./chunks/engine-process-<hash>.js").
    expect(main).toContain(JSON.stringify(`./${engineChunk}`));
    expect(main).toMatch(/utilityProcess\.fork\(/);
  });

  it('main is an ES module that leaves electron and node_modules packages external', () => {
    const main = read(join(out, 'main/index.js'));
    expect(importedSpecifiers(main)).toContain('electron');
    // package.json "type": "module" makes out/main/*.js ES modules; a CJS bundle would misload.
    expect(main).not.toMatch(/\brequire\(\s*["']electron["']\s*\)/);
  });

  it('does not inline TensorFlow.js: the engine imports it from node_modules', () => {
    const mainDir = join(out, 'main');
    const files = listFiles(mainDir).filter((f) => f.endsWith('.js'));
    const code = files.map((f) => read(join(mainDir, f)));
    // Something in the engine's bundle imports tfjs as a package…
    const specifiers = new Set(code.flatMap(importedSpecifiers));
    expect([...specifiers], 'bare imports in out/main').toContain('@tensorflow/tfjs');
    // …and none of its source came along: tfjs-core's engine class and kernel registry are in
    // every tfjs build, and the whole of tfjs is several MB where our bundles are tens of kB.
    for (const [i, text] of code.entries()) {
      expect(text, files[i]).not.toMatch(/\bfunction registerKernel\(/);
      expect(text, files[i]).not.toMatch(/\bclass Engine\b/);
    }
    const totalBytes = files.reduce((sum, f) => sum + statSync(join(mainDir, f)).size, 0);
    // Our own code only (1.03 MB with the tuning mode); tfjs alone would add several MB.
    expect(totalBytes).toBeLessThan(1_200_000);
  });

  it('leaves the GPU packages external: the engine loads Dawn (webgpu) and tfjs-backend-webgpu at run time', () => {
    const mainDir = join(out, 'main');
    const files = listFiles(mainDir).filter((f) => f.endsWith('.js'));
    const code = files.map((f) => read(join(mainDir, f)));
    const specifiers = new Set(code.flatMap(importedSpecifiers));
    expect([...specifiers]).toEqual(expect.arrayContaining(['webgpu', '@tensorflow/tfjs-backend-webgpu']));
    for (const [i, text] of code.entries()) {
      // webgpu's index.js (which finds dawn.node next to itself) and tfjs-webgpu's backend class.
      expect(text, files[i]).not.toContain('dawn.node');
      expect(text, files[i]).not.toMatch(/\bclass WebGPUBackend\b/);
    }
  });

  it('main itself loads no TensorFlow.js: only the engine chunk, a process of its own, imports it', () => {
    const mainDir = join(out, 'main');
    // Every file main's process loads: index.js and the chunks it imports, transitively.
    const loaded = new Set<string>();
    const visit = (file: string) => {
      if (loaded.has(file)) return;
      loaded.add(file);
      for (const s of moduleSpecifiers(read(join(mainDir, file)))) if (s.startsWith('.')) visit(posix.join(posix.dirname(file), s));
    };
    visit('index.js');
    expect([...loaded].filter((file) => file.includes('engine-process'))).toEqual([]);
    const packages = [...loaded].flatMap((file) => importedSpecifiers(read(join(mainDir, file))));
    expect(packages).toContain('better-sqlite3');
    expect(packages.filter((name) => name.startsWith('@tensorflow/'))).toEqual([]);
  });

  it('preload is one CommonJS file that requires only electron (works with sandbox: true)', () => {
    const preload = read(join(out, 'preload/index.cjs'));
    expect(importedSpecifiers(preload)).toEqual(['electron']);
    expect(preload).not.toMatch(/^\s*import\s/m);
    expect(preload).not.toMatch(/^\s*export\s/m);
    expect(preload).toContain('exposeInMainWorld');
    // The renderer gets a wrapped API, never ipcRenderer itself.
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
    expect(listFiles(join(out, 'preload'))).toEqual(['index.cjs']);
  });

  it('renderer keeps its Content-Security-Policy and loads only bundled scripts', () => {
    const html = read(join(out, 'renderer/index.html'));
    const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(csp).toBeDefined();
    const directives = Object.fromEntries(csp!.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    // The API's WebSocket in browser mode, on the loopback interface only.
    expect(directives['connect-src']).toEqual(["'self'", 'ws://127.0.0.1:*', 'ws://localhost:*']);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      // script-src 'self' blocks inline scripts, so every script must be a file of ours.
      expect(body.trim()).toBe('');
      const src = /\bsrc="([^"]+)"/.exec(attributes)?.[1];
      expect(src).toMatch(/^\.\//); // relative: the app loads it from file://
      expect(statSync(join(out, 'renderer', src!)).isFile()).toBe(true);
    }
  });
});

describe('built engine chunk under plain Node', () => {
  /**
   * Runs the chunk in a child process whose `process.parentPort` is a stand-in: an EventEmitter
   * whose postMessage goes to the test over the fork IPC channel, and which emits
   * `{ data }` events (Electron's MessageEvent shape) for messages from the test.
   */
  function startEngine(env: NodeJS.ProcessEnv = {}) {
    const engineChunk = listFiles(join(out, 'main')).find((f) => /^chunks\/engine-process-/.test(f));
    if (!engineChunk) throw new Error('engine chunk not built');
    const dir = join(root, '.tmp/test-app');
    mkdirSync(dir, { recursive: true });
    const loader = join(dir, 'parent-port-loader.mjs');
    writeFileSync(
      loader,
      [
        "import { EventEmitter } from 'node:events';",
        "import { pathToFileURL } from 'node:url';",
        'const port = new EventEmitter();',
        'port.postMessage = (message) => process.send(message);',
        "process.on('message', (data) => port.emit('message', { data }));",
        'process.parentPort = port;',
        'await import(pathToFileURL(process.argv[2]).href);',
        '',
      ].join('\n'),
    );
    const child = fork(loader, [join(out, 'main', engineChunk)], {
      cwd: root,
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, ...env },
    });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));

    const received: EngineToMain[] = [];
    const waiters: Array<(m: EngineToMain) => void> = [];
    child.on('message', (data) => {
      // The same validation main applies on arrival.
      const message = engineToMainSchema.parse(data);
      const waiter = waiters.shift();
      if (waiter) waiter(message);
      else received.push(message);
    });
    const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));

    const nextMessage = (timeoutMs = 90_000) =>
      new Promise<EngineToMain>((resolveMessage, reject) => {
        const queued = received.shift();
        if (queued) return resolveMessage(queued);
        const timer = setTimeout(
          () => reject(new Error(`no message from the engine in ${timeoutMs} ms; output:\n${output}`)),
          timeoutMs,
        );
        exited.then((code) => reject(new Error(`engine exited (code ${code}); output:\n${output}`)));
        waiters.push((message) => {
          clearTimeout(timer);
          resolveMessage(message);
        });
      });

    return { child, nextMessage, exited, output: () => output };
  }

  it('posts ready, answers a probe with a BackendReport, rejects bad messages, and exits on shutdown', async () => {
    const engine = startEngine();
    try {
      expect(await engine.nextMessage()).toEqual({ type: 'ready' });
      engine.child.send({ type: 'probe' });
      const probed = await engine.nextMessage();
      expect(probed.type, JSON.stringify(probed)).toBe('backend');
      if (probed.type !== 'backend') return;
      expect(BACKEND_NAMES).toContain(probed.backend.name);
      expect(probed.backend.device.length).toBeGreaterThan(0);
      expect(probed.backend.probes.some((p) => p.name === probed.backend.name && p.available)).toBe(true);
      // The chunk's import('webgpu') resolves from node_modules: where this machine has a WebGPU
      // adapter (CI's lavapipe), the built engine sees it as the source does.
      const webgpu = probed.backend.probes.find((p) => p.name === 'webgpu');
      const fromSource = (await probeBackends()).find((p) => p.name === 'webgpu');
      expect(webgpu).toEqual(fromSource);

      // Anything that is not a MainToEngine message is answered with an error, not a crash.
      engine.child.send({ type: 'no-such-message' });
      const error = await engine.nextMessage();
      expect(error.type).toBe('error');

      engine.child.send({ type: 'shutdown' });
      expect(await engine.exited).toBe(0);
    } finally {
      if (engine.child.exitCode === null) engine.child.kill();
    }
  });

  it('runs a search with two workers forked from the built worker chunk', async () => {
    const workerChunk = listFiles(join(out, 'main')).find((f) => /^chunks\/worker-process-/.test(f))!;
    const engine = startEngine({ GENNERATOR_EVALUATION_WORKER: join(out, 'main', workerChunk) });
    try {
      expect(await engine.nextMessage()).toEqual({ type: 'ready' });
      const actionSet = JSON.parse(read(join(root, 'resources/action-sets/mlp.json'))) as unknown;
      const config = { evaluator: 'training', strategy: 'random', budget: 3, seed: 1, workers: 2, backend: 'wasm', dataset: 'synthetic', training: { epochs: 1 }, actionSet };
      engine.child.send({ type: 'start', runId: 'built', config, budget: 3 });
      const prepared = await engine.nextMessage();
      expect(prepared, engine.output()).toMatchObject({ type: 'prepared', backend: { name: 'wasm', device: expect.stringMatching(/, in each of 2 workers$/) } });
      engine.child.send({ type: 'cache', entries: [] });
      const finished: number[] = [];
      for (;;) {
        const message = await engine.nextMessage();
        expect(message.type, JSON.stringify(message)).toBe('event');
        if (message.type !== 'event') return;
        if (message.event.type === 'candidate_finished') finished.push(message.event.index);
        if (message.event.type === 'run_finished') break;
      }
      expect(finished.sort()).toEqual([0, 1, 2]);
      expect(await engine.exited).toBe(0);
    } finally {
      if (engine.child.exitCode === null) engine.child.kill();
    }
  });

  it('refuses to start without a parent port', async () => {
    const engineChunk = listFiles(join(out, 'main')).find((f) => /^chunks\/engine-process-/.test(f))!;
    const run = promisify(execFile)(process.execPath, [join(out, 'main', engineChunk)], { cwd: root });
    await expect(run).rejects.toMatchObject({ stderr: expect.stringContaining('parent port') });
  });
});
