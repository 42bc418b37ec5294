/**
 * Runs that survive crashes, with real engine processes and a real SQLite file: the engine (and
 * then the whole CLI) is killed with SIGKILL at random moments, and the run is resumed each time.
 * At the end the history must look as if nothing had happened: every candidate exactly once, the
 * budget met, nothing left "running", and the same candidates as an uninterrupted run.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/main/db/history-store';
import { forkNodeEngine } from '../../src/main/services/engine-child';
import { RunSupervisor } from '../../src/main/services/run-supervisor';
import { createRng } from '../../src/engine/random';
import type { RunConfig } from '../../src/shared/run-config';
import { spawnCli, tempDataDir } from '../support/cli';
import { candidateSequence, expectCleanHistory, FAULT_ACTION_SET, faultRunConfig, storeOpener } from '../support/fault-runs';

const EPOCHS = 2;
/** Only stops a hung test: a passing one takes minutes, several times longer on a loaded machine. */
const TIMEOUT_MS = 900_000;
const config = (budget: number, strategy: 'random' | 'ppo'): RunConfig => faultRunConfig({ budget, strategy, epochs: EPOCHS });
const openStore = storeOpener();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('engine killed with SIGKILL at random moments', () => {
  it('20 kills and resumes leave every candidate exactly once, the budget met and the same candidates as an uninterrupted run', async () => {
    const dir = tempDataDir();
    const store = openStore(join(dir, 'history.db'));
    const logged: string[] = [];
    let engines: ReturnType<typeof forkNodeEngine>[] = [];
    const supervisor = new RunSupervisor(store, () => {
      const child = forkNodeEngine({ stdio: 'ignore' });
      engines.push(child);
      return child;
    }, { log: (m) => logged.push(m) });
    const rng = createRng(11);
    let budget = 24;
    const runId = supervisor.start(config(budget, 'random'));
    let kills = 0;
    while (kills < 20) {
      const done = supervisor.whenDone(runId);
      const outcome = await Promise.race([done, sleep(300 + rng.next() * 2700).then(() => 'kill' as const)]);
      if (outcome === 'kill') {
        engines.at(-1)!.kill();
        kills++;
      }
      // A kill can land after the run recorded its end, while its engine was exiting.
      const status = outcome === 'kill' ? await done : outcome;
      if (status === 'completed') {
        // Finished between kills: extend it, and keep killing.
        budget += 6;
        supervisor.resume(runId, { budget });
      } else {
        expect(status).toBe('interrupted');
        expect(store.getRun(runId)!.statusReason).toMatch(/killed \(SIGKILL\)/);
        supervisor.resume(runId);
      }
      engines = engines.slice(-1);
    }
    expect(await supervisor.whenDone(runId)).toBe('completed');
    expect(logged).toEqual([]);
    expectCleanHistory(store.path, runId, { budget, epochs: EPOCHS });

    // The same search without crashes, in a fresh database: the same candidates, the same cache hits.
    const reference = openStore(join(tempDataDir(), 'history.db'));
    const calm = new RunSupervisor(reference, () => forkNodeEngine({ stdio: 'ignore' }));
    const referenceId = calm.start(config(budget, 'random'));
    expect(await calm.whenDone(referenceId)).toBe('completed');
    expect(candidateSequence(store, runId)).toEqual(candidateSequence(reference, referenceId));
    await supervisor.shutdown();
    await calm.shutdown();
  }, TIMEOUT_MS);
});

describe('the whole CLI (store and engine) killed with SIGKILL at random moments', () => {
  it('20 kills of `search`/`resume` leave a clean, complete history', async () => {
    const dbPath = join(tempDataDir(), 'history.db');
    const rng = createRng(5);
    let budget = 20;
    const searchArgs = ['search', '--dataset', 'synthetic', '--action-set', FAULT_ACTION_SET, '--epochs', String(EPOCHS), '--batch-size', '32', '--seed', '3', '--budget', String(budget), '--json', '--db', dbPath];
    let runId: string | undefined;
    let kills = 0;
    // Once extended, every resume names the budget: a killed extend may not have recorded it yet.
    let extend = false;
    const runUntilExit = async (killAfterMs?: number) => {
      if (runId) {
        // Finished, whether or not its process lived to exit: extend it, and keep killing.
        const store = HistoryStore.open(dbPath);
        const run = store.getRun(runId)!;
        store.close();
        if (run.status === 'completed' && run.evaluations >= budget) {
          budget += 5;
          extend = true;
        }
      }
      const args = !runId ? searchArgs : ['resume', runId, '--json', '--db', dbPath, ...(extend ? ['--budget', String(budget)] : [])];
      const child = spawnCli(args);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const timer = killAfterMs === undefined ? undefined : sleep(killAfterMs).then(() => 'kill' as const);
      const outcome = await Promise.race(timer ? [exited, timer] : [exited]);
      if (outcome === 'kill') {
        child.kill('SIGKILL');
        await exited;
      }
      if (!runId) {
        // Killed before the run was created, or before it said so: the database knows.
        const store = HistoryStore.open(dbPath);
        runId = store.listRuns()[0]?.id;
        store.close();
      }
      return { outcome, stdout, stderr };
    };
    while (kills < 20) {
      const { outcome, stderr } = await runUntilExit(500 + rng.next() * 4000);
      if (outcome === 'kill') kills++;
      else expect(outcome, stderr).toBe(0);
    }
    const last = await runUntilExit();
    expect(last.outcome, last.stderr).toBe(0);
    expectCleanHistory(dbPath, runId!, { budget, epochs: EPOCHS });
  }, TIMEOUT_MS);
});
