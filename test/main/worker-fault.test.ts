/**
 * Runs with three local workers that survive crashes, with real engine and worker processes and a
 * real SQLite file. Worker processes are killed with SIGKILL at random moments (after a random
 * number of epochs, a random one of the workers that are up), then the coordinator too (the engine,
 * or the whole CLI), and the run is resumed each time. At the end the history must be clean: every
 * candidate index once, none left running, the file intact; and a resumed run must train again
 * exactly the candidates that were in flight when its engine died.
 *
 * Only workers that have started are picked (their process title says so): a worker killed while
 * it starts is the pool's own test (test/engine/pool/process-pool.test.ts).
 */
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it, vi } from 'vitest';
import { HistoryStore } from '../../src/main/db/history-store';
import { forkNodeEngine, type EngineChild } from '../../src/main/services/engine-child';
import { RunSupervisor } from '../../src/main/services/run-supervisor';
import { createRng, type Rng } from '../../src/engine/random';
import type { RunConfig, StrategyName } from '../../src/shared/run-config';
import { spawnCli, tempDataDir } from '../support/cli';
import { candidateSequence, expectCleanHistory, FAULT_ACTION_SET, faultRunConfig, storeOpener } from '../support/fault-runs';
import { descendants, isAlive } from '../support/processes';

const EPOCHS = 3;
const WORKERS = 3;
const WORKER_KILLS = 10;
/** Only stops a hung test: a passing one takes minutes, several times longer on a loaded machine. */
const TIMEOUT_MS = 1_200_000;
// Not auto: each worker would probe for a GPU every time it starts again.
const config = (budget: number, strategy: StrategyName): RunConfig => faultRunConfig({ budget, strategy, epochs: EPOCHS, workers: WORKERS, backend: 'wasm' });
const openStore = storeOpener();

/** A worker that has started: idle, or on a candidate (see worker-process.ts). */
const STARTED_WORKER = /^gennerator-worker \((ready|candidate \d+)\)$/;

/**
 * Kills a random started worker below a process after every few epochs (1 to 4, drawn at random),
 * `kills` times in all. `onEpoch` is called with each epoch_done the run reports.
 */
class WorkerKiller {
  readonly victims: number[] = [];
  /** Every worker seen below the coordinator: none may outlive the test. */
  readonly seen = new Set<number>();
  private countdown: number;

  constructor(
    private readonly rng: Rng,
    private readonly kills: number,
  ) {
    this.countdown = this.draw();
  }

  get done(): boolean {
    return this.victims.length >= this.kills;
  }

  onEpoch(root: number | undefined): void {
    if (this.done || root === undefined || --this.countdown > 0) return;
    const workers = descendants(root).filter((p) => STARTED_WORKER.test(p.title));
    workers.forEach((w) => this.seen.add(w.pid));
    // None up (all restarting): try again at the next epoch.
    if (workers.length === 0) return;
    const victim = workers[this.rng.int(workers.length)];
    process.kill(victim.pid, 'SIGKILL');
    this.victims.push(victim.pid);
    this.countdown = this.draw();
  }

  private draw(): number {
    return 1 + this.rng.int(4);
  }
}

/** A supervisor whose engines are real processes (the last one spawned is `engine()`). */
function supervise(store: HistoryStore) {
  const engines: EngineChild[] = [];
  const logged: string[] = [];
  const supervisor = new RunSupervisor(store, () => {
    const child = forkNodeEngine({ stdio: 'ignore' });
    engines.push(child);
    return child;
  }, { log: (m) => logged.push(m) });
  return { supervisor, logged, engine: () => engines.at(-1) };
}

async function expectNoneAlive(pids: Iterable<number>): Promise<void> {
  await vi.waitFor(() => expect([...pids].filter(isAlive)).toEqual([]), { timeout: 30_000, interval: 200 });
}

describe('three local workers killed with SIGKILL at random moments', () => {
  it(`${WORKER_KILLS} worker kills: the run completes, every index once, nothing left running, the history intact, the same candidates as a calm run`, async () => {
    const store = openStore(join(tempDataDir(), 'history.db'));
    const { supervisor, logged, engine } = supervise(store);
    const killer = new WorkerKiller(createRng(21), WORKER_KILLS);
    let budget = 18;
    const runId = supervisor.start(config(budget, 'random'));
    supervisor.subscribe((u) => u.runId === runId && u.kind === 'event' && u.event.type === 'epoch_done' && killer.onEpoch(engine()?.pid));
    for (;;) {
      expect(await supervisor.whenDone(runId), store.getRun(runId)?.statusReason ?? '').toBe('completed');
      if (killer.done) break;
      // Finished before all the kills: extend it, and keep killing.
      budget += 6;
      supervisor.resume(runId, { budget });
    }
    expect(logged).toEqual([]);
    expectCleanHistory(store.path, runId, { budget, epochs: EPOCHS });
    await expectNoneAlive(killer.seen);

    // The same search without kills: the same candidates (random search does not depend on results).
    const reference = openStore(join(tempDataDir(), 'history.db'));
    const calm = supervise(reference);
    const referenceId = calm.supervisor.start(config(budget, 'random'));
    expect(await calm.supervisor.whenDone(referenceId)).toBe('completed');
    expect(candidateSequence(store, runId, { cached: false })).toEqual(candidateSequence(reference, referenceId, { cached: false }));
    await supervisor.shutdown();
    await calm.supervisor.shutdown();
  }, TIMEOUT_MS);

  it('resuming after the engine is killed trains again exactly the candidates that were in flight (PPO, whose proposals depend on results)', async () => {
    const store = openStore(join(tempDataDir(), 'history.db'));
    const { supervisor, logged, engine } = supervise(store);
    const rng = createRng(8);
    const budget = 16;
    const runId = supervisor.start(config(budget, 'ppo'));
    // Per session: the candidates proposed, and the finished ones to wait for before the kill.
    let proposed: Array<{ index: number; hash: string }> = [];
    let finishedBeforeKill = 2 + rng.int(3);
    let killed = false;
    supervisor.subscribe((u) => {
      if (u.runId !== runId || u.kind !== 'event') return;
      const { event } = u;
      if (event.type === 'candidate_proposed') proposed.push({ index: event.index, hash: event.hash });
      if (event.type === 'candidate_finished') finishedBeforeKill--;
      // Mid-epoch of a later candidate, with others in flight.
      if (event.type === 'epoch_done' && finishedBeforeKill <= 0 && !killed) {
        killed = true;
        engine()!.kill();
      }
    });
    let kills = 0;
    const inFlightRows = () =>
      store
        .listCandidates(runId, { sortBy: 'index', order: 'asc', limit: 10_000 })
        .rows.filter((c) => c.status === 'interrupted')
        .map((c) => ({ index: c.index, hash: c.hash }));
    for (;;) {
      const status = await supervisor.whenDone(runId);
      if (status === 'completed') break;
      expect(status, store.getRun(runId)?.statusReason ?? '').toBe('interrupted');
      kills++;
      const inFlight = inFlightRows();
      expect(inFlight.length).toBeGreaterThan(0);
      proposed = [];
      killed = kills >= 3;
      finishedBeforeKill = 2 + rng.int(3);
      supervisor.resume(runId);
      // The resumed session starts with the candidates in flight, each under its index with its architecture.
      await vi.waitFor(() => expect(proposed.length).toBeGreaterThanOrEqual(inFlight.length), { timeout: 120_000, interval: 100 });
      expect([...proposed.slice(0, inFlight.length)].sort((a, b) => a.index - b.index)).toEqual(inFlight);
    }
    expect(kills).toBe(3);
    expect(logged).toEqual([]);
    expectCleanHistory(store.path, runId, { budget, epochs: EPOCHS });
    await supervisor.shutdown();
  }, TIMEOUT_MS);

  it(`then the coordinator too: \`search --workers ${WORKERS}\` and \`resume\` killed with their workers leave a clean, complete history`, async () => {
    const dbPath = join(tempDataDir(), 'history.db');
    const rng = createRng(13);
    const killer = new WorkerKiller(rng, WORKER_KILLS);
    const coordinatorKills = 3;
    let budget = 18;
    const searchArgs = ['search', '--dataset', 'synthetic', '--action-set', FAULT_ACTION_SET, '--epochs', String(EPOCHS), '--batch-size', '32', '--seed', '3', '--workers', String(WORKERS), '--backend', 'wasm', '--strategy', 'random', '--budget', String(budget), '--json', '--db', dbPath];
    let runId: string | undefined;
    let extend = false;
    let killedCoordinators = 0;
    const readRun = () => {
      const store = HistoryStore.open(dbPath);
      try {
        return store.getRun(runId ?? store.listRuns()[0]?.id ?? '');
      } finally {
        store.close();
      }
    };
    /** One `search` or `resume`; the coordinator is killed after a few finished candidates while kills remain. */
    const session = async () => {
      const args = !runId ? searchArgs : ['resume', runId, '--json', '--db', dbPath, ...(extend ? ['--budget', String(budget)] : [])];
      const child = spawnCli(args);
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
      let finishedBeforeKill = killedCoordinators < coordinatorKills ? 3 + rng.int(5) : Number.POSITIVE_INFINITY;
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (!line.startsWith('{')) return;
        const event = JSON.parse(line) as { type: string; run_id?: string };
        if (event.type === 'run') runId ??= event.run_id;
        if (event.type === 'epoch_done') killer.onEpoch(child.pid);
        if (event.type === 'candidate_finished' && --finishedBeforeKill === 0) {
          // Its engine and workers lose their parent and end by themselves.
          for (const p of descendants(child.pid!)) if (STARTED_WORKER.test(p.title)) killer.seen.add(p.pid);
          child.kill('SIGKILL');
          killedCoordinators++;
        }
      });
      const exit = await exited;
      if (exit.signal !== 'SIGKILL') expect(exit.code, stderr).toBe(0);
      return exit;
    };
    for (;;) {
      await session();
      const run = readRun()!;
      if (run.status !== 'completed') continue;
      if (killer.done && killedCoordinators >= coordinatorKills) break;
      // Finished before all the kills: extend it, and keep killing.
      budget += 6;
      extend = true;
    }
    expect(killer.victims).toHaveLength(WORKER_KILLS);
    expect(killedCoordinators).toBe(coordinatorKills);
    expectCleanHistory(dbPath, runId!, { budget, epochs: EPOCHS });
    await expectNoneAlive([...killer.seen, ...killer.victims]);
  }, TIMEOUT_MS);
});
