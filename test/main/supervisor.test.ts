/**
 * The run supervisor against a scripted engine (no tfjs, no processes): what it writes for each
 * engine message, what it does when the engine dies, and that malformed messages never reach the
 * database.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/main/db/history-store';
import type { EngineChild } from '../../src/main/services/engine-child';
import { RunSupervisor } from '../../src/main/services/run-supervisor';
import type { RunUpdate } from '../../src/shared/api';
import type { BackendReport } from '../../src/shared/backend';
import type { SearchEvent } from '../../src/shared/events';
import { resumeCanHelp } from '../../src/shared/history';
import { parseRunConfig } from '../../src/shared/run-config';
import { tempDataDir } from '../support/cli';

const backend: BackendReport = { name: 'wasm', tfBackend: 'wasm', device: 'CPU (WebAssembly)', probes: [{ name: 'wasm', available: true }] };
const config = parseRunConfig({ evaluator: 'nb201', strategy: 'random', budget: 3, seed: 0 });

class FakeEngine extends EventEmitter implements EngineChild {
  readonly pid = 4242;
  sent: Array<{ type: string }> = [];
  postMessage(message: unknown): void {
    this.sent.push(message as { type: string });
  }
  kill(): boolean {
    setImmediate(() => this.emit('exit', null, 'SIGKILL'));
    return true;
  }
  say(message: unknown): void {
    this.emit('message', message);
  }
  exit(code: number): void {
    this.emit('exit', code, null);
  }
}

const candidate = (index: number, signal: number): SearchEvent[] => [
  { type: 'candidate_proposed', index, action: [index, 0, 0, 0, 0, 0], label: `cell ${index}`, hash: `h${index}`, architecture: { nb201: `cell ${index}` } },
  { type: 'candidate_finished', index, status: 'completed', signal, reward: signal, cached: false, seconds: 0.1 },
];

let store: HistoryStore;
afterEach(() => store?.close());

function setup() {
  store = HistoryStore.open(join(tempDataDir(), 'history.db'));
  const engines: FakeEngine[] = [];
  const logged: string[] = [];
  const supervisor = new RunSupervisor(store, () => {
    const engine = new FakeEngine();
    engines.push(engine);
    return engine;
  }, { log: (m) => logged.push(m), stopTimeoutMs: 50 });
  return { supervisor, engines, logged };
}

/** Drives a fresh engine through start-up to the first candidates. */
function startRun(supervisor: RunSupervisor, engines: FakeEngine[]) {
  const runId = supervisor.start(config);
  const engine = engines.at(-1)!;
  engine.say({ type: 'ready' });
  engine.say({ type: 'prepared', backend, settingsKey: 'nb201|cifar10', description: 'NAS-Bench-201' });
  engine.say({ type: 'event', event: { type: 'run_started', runId, strategy: 'random', evaluator: 'nb201', budget: 3, evaluations: 0 } });
  return { runId, engine };
}

describe('RunSupervisor', () => {
  it('sends the run to a ready engine, records events, and completes the run', async () => {
    const { supervisor, engines } = setup();
    const { runId, engine } = startRun(supervisor, engines);
    // A NAS-Bench-201 engine does not wait for cached results, so none are sent.
    expect(engine.sent.map((m) => m.type)).toEqual(['start']);
    const events: string[] = [];
    supervisor.subscribe((u) => u.kind === 'event' && events.push(u.event.type));
    [0, 1, 2].forEach((i) => candidate(i, 0.5 + i / 10).forEach((event, k) => engine.say({ type: 'event', event, ...(k === 1 ? { checkpoint: { after: i } } : {}) })));
    engine.say({ type: 'event', event: { type: 'run_finished', status: 'completed', evaluations: 3, cacheHits: 0, bestIndex: 2 } });
    engine.exit(0);
    expect(await supervisor.whenDone(runId)).toBe('completed');
    expect(store.getRun(runId)).toMatchObject({ status: 'completed', evaluations: 3, bestIndex: 2, backend: 'wasm', device: 'CPU (WebAssembly)' });
    expect(store.latestCheckpoint(runId)?.state).toEqual({ after: 2 });
    expect(events).toHaveLength(7);
  });

  it('sends earlier results exactly when the engine says it awaits them, of the scope it names, whatever the evaluator', () => {
    const { supervisor, engines } = setup();
    const first = startRun(supervisor, engines);
    candidate(0, 0.7).forEach((event) => first.engine.say({ type: 'event', event }));
    const training = parseRunConfig({ evaluator: 'training', strategy: 'random', budget: 2, seed: 0, actionSet: { name: 'mlp', nodes: [{ id: 'd', layer: { type: 'dense', units: 8 } }] } });
    for (const [runConfig, cacheScope] of [[training, 'settings'], [training, undefined], [config, 'settings'], [config, 'run'], [config, undefined]] as const) {
      const runId = supervisor.start(runConfig);
      const engine = engines.at(-1)!;
      engine.say({ type: 'ready' });
      engine.say({ type: 'prepared', backend, settingsKey: 'nb201|cifar10', description: 'same settings as the first run', ...(cacheScope ? { cacheScope } : {}) });
      expect(engine.sent.map((m) => m.type)).toEqual(cacheScope ? ['start', 'cache'] : ['start']);
      // Scope 'run': only this run's own results, and it has none yet.
      if (cacheScope === 'settings') expect(engine.sent[1]).toMatchObject({ type: 'cache', entries: [{ hash: 'h0', status: 'completed', signal: 0.7 }] });
      if (cacheScope === 'run') expect(engine.sent[1]).toMatchObject({ type: 'cache', entries: [] });
      expect(store.getRun(runId)?.status).toBe('running');
    }
    first.engine.say({ type: 'prepared', backend, settingsKey: 'nb201|cifar10', description: 'a resumed run asks for its own', cacheScope: 'run' });
    expect(first.engine.sent.at(-1)).toMatchObject({ type: 'cache', entries: [{ hash: 'h0', signal: 0.7 }] });
  });

  it('answers a warm start with the earlier results over the same space and settings, and records how many', () => {
    const { supervisor, engines } = setup();
    const first = startRun(supervisor, engines);
    [0, 1].forEach((i) => candidate(i, 0.6 + i / 10).forEach((event) => first.engine.say({ type: 'event', event })));
    const updates: RunUpdate[] = [];
    supervisor.subscribe((u) => updates.push(u));
    const warm = parseRunConfig({ evaluator: 'nb201', strategy: 'ppo', predictor: 'gp', warmStart: true, budget: 3, seed: 0 });
    const ask = (settingsKey: string) => {
      const runId = supervisor.start(warm);
      const engine = engines.at(-1)!;
      engine.say({ type: 'ready' });
      engine.say({ type: 'prepared', backend, settingsKey, description: 'NAS-Bench-201', warmStart: true });
      return { runId, engine };
    };
    const same = ask('nb201|cifar10');
    expect(same.engine.sent[1]).toEqual({ type: 'cache', entries: [], warmStart: [{ action: [0, 0, 0, 0, 0, 0], signal: 0.6 }, { action: [1, 0, 0, 0, 0, 0], signal: 0.7 }] });
    expect(store.getRun(same.runId)?.warmStart).toEqual({ evaluations: 2, runs: 1 });
    expect(updates.find((u) => u.runId === same.runId && u.kind === 'environment')).toMatchObject({ warmStart: { evaluations: 2, runs: 1 } });
    // Another table column: other settings, nothing to start from (but the run says so).
    const other = ask('nb201|cifar100');
    expect(other.engine.sent[1]).toEqual({ type: 'cache', entries: [], warmStart: [] });
    expect(store.getRun(other.runId)?.warmStart).toEqual({ evaluations: 0, runs: 0 });
  });

  it('marks the run interrupted with the reason when the engine dies, keeping what was recorded', async () => {
    const { supervisor, engines } = setup();
    const { runId, engine } = startRun(supervisor, engines);
    candidate(0, 0.7).forEach((event) => engine.say({ type: 'event', event, ...(event.type === 'candidate_finished' ? { checkpoint: { after: 0 } } : {}) }));
    engine.say({ type: 'event', event: candidate(1, 0)[0] });
    engine.kill();
    expect(await supervisor.whenDone(runId)).toBe('interrupted');
    expect(store.getRun(runId)).toMatchObject({ status: 'interrupted', statusReason: 'the engine process was killed (SIGKILL)', evaluations: 1 });
    expect(store.getCandidate(runId, 1)?.status).toBe('interrupted');

    // Resume sends the checkpoint; the half-done candidate is proposed again and replaces its attempt.
    supervisor.resume(runId);
    const next = engines.at(-1)!;
    next.say({ type: 'ready' });
    expect(next.sent[0]).toMatchObject({ type: 'start', runId, budget: 3, checkpoint: { after: 0 } });
    expect(store.listCandidates(runId).total).toBe(1);
  });

  it('reports an engine error that ends the run as failed, with the message', async () => {
    const { supervisor, engines } = setup();
    const { runId, engine } = startRun(supervisor, engines);
    engine.say({ type: 'error', message: '/data/train-images-idx3-ubyte.gz: truncated (expected 47040016 bytes, got 1000)' });
    engine.exit(1);
    expect(await supervisor.whenDone(runId)).toBe('failed');
    expect(store.getRun(runId)?.statusReason).toMatch(/train-images-idx3-ubyte\.gz: truncated/);
  });

  it('keeps stacks out of the history and the updates (they go to the debug log), and records when a run failed', async () => {
    const debugged: string[] = [];
    store = HistoryStore.open(join(tempDataDir(), 'history.db'));
    const engines: FakeEngine[] = [];
    const supervisor = new RunSupervisor(store, () => engines[engines.push(new FakeEngine()) - 1], { log: () => undefined, debug: (m) => debugged.push(m) });
    const statuses: RunUpdate[] = [];
    supervisor.subscribe((u) => u.kind === 'status' && statuses.push(u));

    // Failed while searching: resuming from the checkpoint may get further.
    const searching = startRun(supervisor, engines);
    const stack = 'TypeError: x is undefined\n    at loop (/src/engine/search/search-loop.ts:10:5)\n    at run (/src/engine/run/engine-service.ts:50:3)';
    searching.engine.say({ type: 'error', message: `${stack}`, during: 'search', detail: stack });
    searching.engine.exit(1);
    expect(await supervisor.whenDone(searching.runId)).toBe('failed');
    const failed = store.getRun(searching.runId)!;
    expect(failed).toMatchObject({ statusReason: 'TypeError: x is undefined', failedDuring: 'search' });
    expect(statuses.at(-1)).toMatchObject({ status: 'failed', reason: 'TypeError: x is undefined', failedDuring: 'search' });
    expect(debugged).toEqual([expect.stringContaining('search-loop.ts:10:5')]);
    expect(resumeCanHelp(failed)).toBe(true);

    // Failed while setting up: it would fail the same way again, so it is not resumed.
    const runId = supervisor.start(config);
    engines.at(-1)!.say({ type: 'ready' });
    engines.at(-1)!.say({ type: 'error', message: '/nope: NAS-Bench-201 data directory not found', during: 'setup' });
    engines.at(-1)!.exit(1);
    expect(await supervisor.whenDone(runId)).toBe('failed');
    const setupFailed = store.getRun(runId)!;
    expect(setupFailed.failedDuring).toBe('setup');
    expect(resumeCanHelp(setupFailed)).toBe(false);
    expect(() => supervisor.resume(runId)).toThrow(/failed while setting up \(\/nope: NAS-Bench-201 data directory not found\): resuming would fail the same way/);
    expect(engines).toHaveLength(2);
  });

  it('shows reasons recorded with a stack trace (before stacks were kept out) without it', () => {
    store = HistoryStore.open(join(tempDataDir(), 'history.db'));
    const runId = 'legacy';
    store.createRun({ id: runId, config, ownerPid: process.pid });
    store.setRunStatus(runId, 'failed', 'RangeError: subset must be an integer ≥ 10\n    at resolvePrepareOptions (/x/prepare.ts:20:11)\n    at prepareData (/x/prepare.ts:36:48)');
    expect(store.getRun(runId)).toMatchObject({ statusReason: 'RangeError: subset must be an integer ≥ 10', failedDuring: null });
    expect(store.listRuns({})[0].statusReason).toBe('RangeError: subset must be an integer ≥ 10');
    // Recorded before failedDuring existed, with nothing evaluated: it failed in setup.
    expect(resumeCanHelp(store.getRun(runId)!)).toBe(false);
  });

  it('stop marks the run stopped even when the engine has to be killed', async () => {
    const { supervisor, engines } = setup();
    const { runId, engine } = startRun(supervisor, engines);
    const stopped = supervisor.stop(runId);
    expect(engine.sent.at(-1)).toEqual({ type: 'stop' });
    expect(await stopped).toBe('stopped');
    expect(store.getRun(runId)?.status).toBe('stopped');
  });

  it('pause and resume go to the engine, and the status follows what the engine reports', () => {
    const { supervisor, engines } = setup();
    const { runId, engine } = startRun(supervisor, engines);
    supervisor.pause(runId);
    expect(engine.sent.at(-1)).toEqual({ type: 'pause' });
    engine.say({ type: 'paused', paused: true });
    expect(store.getRun(runId)?.status).toBe('paused');
    supervisor.resume(runId);
    expect(engine.sent.at(-1)).toEqual({ type: 'resume' });
    engine.say({ type: 'paused', paused: false });
    expect(store.getRun(runId)?.status).toBe('running');
  });

  it('refuses to resume a completed run without a larger budget, and extends it with one', async () => {
    const { supervisor, engines } = setup();
    const { runId, engine } = startRun(supervisor, engines);
    [0, 1, 2].forEach((i) => candidate(i, 0.5).forEach((event) => engine.say({ type: 'event', event })));
    engine.say({ type: 'event', event: { type: 'run_finished', status: 'completed', evaluations: 3, cacheHits: 0, bestIndex: 0 } });
    engine.exit(0);
    await supervisor.whenDone(runId);
    expect(() => supervisor.resume(runId)).toThrow(/evaluated 3 of its budget of 3: extend it with a larger budget/);
    supervisor.resume(runId, { budget: 5 });
    engines.at(-1)!.say({ type: 'ready' });
    expect(engines.at(-1)!.sent[0]).toMatchObject({ type: 'start', budget: 5 });
    expect(store.getRun(runId)?.budget).toBe(5);
  });

  it('records why a time-boxed run completed, and refuses to resume it, with or without a larger budget', async () => {
    const { supervisor, engines } = setup();
    const runId = supervisor.start({ ...config, timeBudgetS: 60 });
    const engine = engines.at(-1)!;
    const statuses: Array<{ status: string; reason?: string }> = [];
    supervisor.subscribe((u) => u.kind === 'status' && statuses.push({ status: u.status, reason: u.reason }));
    engine.say({ type: 'ready' });
    engine.say({ type: 'event', event: { type: 'run_started', runId, strategy: 'random', evaluator: 'nb201', budget: 3, evaluations: 0 } });
    candidate(0, 0.5).forEach((event) => engine.say({ type: 'event', event }));
    engine.say({ type: 'event', event: { type: 'run_finished', status: 'completed', evaluations: 1, cacheHits: 0, bestIndex: 0, timeBudgetSpent: true } });
    engine.exit(0);
    expect(await supervisor.whenDone(runId)).toBe('completed');
    const reason = 'its time budget ran out after 1 candidate';
    expect(statuses.at(-1)).toEqual({ status: 'completed', reason });
    expect(store.getRun(runId)).toMatchObject({ status: 'completed', evaluations: 1, statusReason: reason });
    expect(() => supervisor.resume(runId)).toThrow(/used up its time budget of 60 s: nothing to resume/);
    expect(() => supervisor.resume(runId, { budget: 10 })).toThrow(/used up its time budget/);
    expect(engines).toHaveLength(1);
  });

  it('resuming a run interrupted after its last candidate only records its lost ending', async () => {
    const { supervisor, engines } = setup();
    const { runId, engine } = startRun(supervisor, engines);
    [0, 1, 2].forEach((i) => candidate(i, 0.5).forEach((event) => engine.say({ type: 'event', event })));
    engine.kill();
    expect(await supervisor.whenDone(runId)).toBe('interrupted');
    supervisor.resume(runId);
    expect(engines).toHaveLength(1);
    expect(store.getRun(runId)).toMatchObject({ status: 'completed', evaluations: 3, statusReason: 'all candidates were evaluated before the run was interrupted' });
  });

  it('rejects malformed engine messages (fuzzed) with a logged error and never writes them', () => {
    const { supervisor, engines, logged } = setup();
    const { runId, engine } = startRun(supervisor, engines);
    candidate(0, 0.6).forEach((event) => engine.say({ type: 'event', event }));
    // measuredAt is the clock when the run was read, not a stored value.
    const storedRun = () => ({ ...store.getRun(runId), measuredAt: undefined });
    const snapshot = () => JSON.stringify([storedRun(), store.listCandidates(runId), store.getCandidate(runId, 0), store.agentUpdates(runId)]);
    const before = snapshot();
    const valid = { type: 'event', event: candidate(1, 0.9)[1] };
    // Anything: random JSON, and valid messages with one field broken.
    const broken = fc.oneof(
      fc.jsonValue(),
      fc.record({ type: fc.constantFrom('event', 'prepared', 'paused', 'error', 'ready'), event: fc.jsonValue() }),
      fc.constantFrom<Record<string, unknown>>(
        { ...valid, event: { ...valid.event, signal: 'high' } },
        { ...valid, event: { ...valid.event, index: -1 } },
        { ...valid, event: { ...valid.event, status: 'running' } },
        { ...valid, event: { ...valid.event, extra: 1 } },
        { ...valid, model: { topology: {}, weightSpecs: [], weightData: 'not base64!' } },
        { type: 'event', event: { type: 'epoch_done', index: 7, metrics: { epoch: 0 } } },
      ),
    );
    let sent = 0;
    fc.assert(
      fc.property(broken, (message) => {
        const startLog = logged.length;
        engine.say(message);
        sent++;
        // Either rejected by validation, or (a valid shape for a candidate never proposed) refused by the store.
        expect(logged.length).toBe(startLog + 1);
      }),
      { numRuns: 300, seed: 7 },
    );
    expect(sent).toBe(300);
    expect(logged.every((m) => /rejected a message from the engine|could not record/.test(m))).toBe(true);
    expect(snapshot()).toBe(before);
  });
});
