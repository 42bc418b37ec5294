/**
 * The local worker pool with real worker processes: the fixed-latency evaluator (no TensorFlow.js)
 * for the pool's own behaviour, and one tiny real training on the synthetic dataset.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ActionGrammar, parseActionSet } from '../../../src/shared/action-set';
import type { SearchEvent } from '../../../src/shared/events';
import { TrainingConfigSchema } from '../../../src/shared/training';
import { RandomSearch } from '../../../src/engine/agents/random-search';
import { fixedLatencySignal } from '../../../src/engine/evaluators/fixed-latency';
import type { EvaluationJob } from '../../../src/engine/evaluators/types';
import { ProcessPool, type ProcessPoolOptions } from '../../../src/engine/pool/process-pool';
import { forkEvaluationWorker } from '../../../src/engine/pool/worker-entry';
import { computeReward, DEFAULT_REWARD } from '../../../src/engine/search/reward';
import { SearchLoop } from '../../../src/engine/search/search-loop';
import { ActionSetSpace } from '../../../src/engine/search/space';
import { isAlive } from '../../support/processes';
import { spawnScript, syntheticSettings } from './helpers';

const actionSet = parseActionSet(JSON.parse(readFileSync(new URL('../../../resources/action-sets/original-design.json', import.meta.url), 'utf8')));
const space = new ActionSetSpace(new ActionGrammar(actionSet, [12, 12, 1]));

const pools: ProcessPool[] = [];
const startPool = async (options: Partial<ProcessPoolOptions> = {}) => {
  const pool = await ProcessPool.start({ size: 3, evaluator: { kind: 'fixed-latency', latencyMs: 300, epochs: 3 }, log: () => undefined, ...options });
  pools.push(pool);
  return pool;
};
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

/** Ten epochs of 200 ms: a worker killed after an epoch's report is still far from its outcome, however loaded the machine. */
const SLOW = { kind: 'fixed-latency', latencyMs: 2000, epochs: 10 } as const;

const job = (index: number, action: number[]): EvaluationJob => ({ index, action, hash: `h${index}`, architecture: { layers: [] } });

/** A search of `budget` candidates over the pool; `onEvent` sees every event as it happens. */
function search(pool: ProcessPool, budget: number, onEvent: (event: SearchEvent) => void) {
  const slotMask = (prefix: readonly number[]) => space.slotMask(prefix);
  return new SearchLoop(new RandomSearch(space.nvec, 5, undefined, slotMask), space, {
    runId: 'pool',
    evaluator: 'training',
    budget: { evaluations: budget },
    pool,
    reward: (action, outcome, previous) => computeReward(outcome, previous, space.layers(action).length, DEFAULT_REWARD),
    onEvent,
  }).run();
}

const finishedOf = (events: SearchEvent[]) => events.flatMap((e) => (e.type === 'candidate_finished' ? [e] : []));

describe('ProcessPool', () => {
  it('evaluates three at a time in three processes and matches every result to its job by index', async () => {
    const pool = await startPool();
    const pids = pool.activity.map((w) => w.pid);
    expect(new Set(pids).size).toBe(3);
    const epochs = new Map<number, number[]>();
    const busyAtOnce: number[] = [];
    const jobs = Array.from({ length: 7 }, (_, i) => job(i, [i + 1, 2 * i, 7 - i]));
    const outcomes = await Promise.all(
      jobs.map((j) =>
        pool.evaluate(j, {
          onEpoch: (metrics) => {
            epochs.set(j.index, [...(epochs.get(j.index) ?? []), metrics.epoch]);
            busyAtOnce.push(pool.activity.filter((w) => w.index !== undefined).length);
          },
        }),
      ),
    );
    outcomes.forEach((outcome, i) => {
      expect(outcome).toMatchObject({ status: 'completed', hash: `h${i}`, signal: fixedLatencySignal(jobs[i].action), cached: false });
      expect(epochs.get(i)).toEqual([1, 2, 3]);
    });
    expect(Math.max(...busyAtOnce)).toBe(3);
    // The same three processes did it all: nothing was restarted.
    expect(pool.activity.map((w) => w.pid)).toEqual(pids);
  });

  it('a worker killed mid-candidate is started again and its candidate evaluated again: every index finishes once', async () => {
    const pool = await startPool({ evaluator: SLOW });
    const events: SearchEvent[] = [];
    const killed: number[] = [];
    const summary = await search(pool, 9, (event) => {
      events.push(event);
      if (event.type === 'epoch_done' && event.index === 2 && event.metrics.epoch === 1) {
        const pid = pool.activity.find((w) => w.index === 2)!.pid!;
        killed.push(pid);
        process.kill(pid, 'SIGKILL');
      }
    });
    expect(summary).toMatchObject({ status: 'completed', evaluations: 9 });
    expect(killed).toHaveLength(1);
    const finished = finishedOf(events);
    expect(finished.map((e) => e.index).sort((a, b) => a - b)).toEqual([...Array(9).keys()]);
    expect(finished.every((e) => e.status === 'completed' && !e.cached)).toBe(true);
    // Its epochs are reported once each, though it trained its first epoch twice.
    expect(events.flatMap((e) => (e.type === 'epoch_done' && e.index === 2 ? [e.metrics.epoch] : []))).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(isAlive(killed[0])).toBe(false);
    expect(pool.activity.map((w) => w.pid)).not.toContain(killed[0]);
  });

  it('a candidate that takes its worker down twice is a failed candidate with the reason, and the run goes on', async () => {
    const pool = await startPool({ evaluator: SLOW });
    const events: SearchEvent[] = [];
    const summary = await search(pool, 6, (event) => {
      events.push(event);
      // The first attempt dies after epoch 1; the second, which reports only the epochs after it, after epoch 2.
      if (event.type === 'epoch_done' && event.index === 1) process.kill(pool.activity.find((w) => w.index === 1)!.pid!, 'SIGKILL');
    });
    expect(summary).toMatchObject({ status: 'completed', evaluations: 6 });
    const finished = finishedOf(events);
    expect(finished.map((e) => e.index).sort((a, b) => a - b)).toEqual([...Array(6).keys()]);
    const failed = finished.find((e) => e.index === 1)!;
    expect(failed, JSON.stringify(events.filter((e) => 'index' in e && e.index === 1))).toMatchObject({ status: 'failed', signal: 0 });
    expect(failed.error).toMatch(/^worker [1-3] exited with signal SIGKILL while evaluating candidate 1 \(it took 2 workers down\)$/);
    expect(finished.filter((e) => e.index !== 1).every((e) => e.status === 'completed')).toBe(true);
  });

  it('a worker killed while it starts again is started again: the run completes, every index once', async () => {
    // Every replacement worker is killed as soon as it is spawned, twice; the third one starts.
    let spawned = 0;
    const doomed: number[] = [];
    const spawn = () => {
      const child = forkEvaluationWorker();
      spawned++;
      if (spawned > 3 && doomed.length < 2) {
        doomed.push(child.pid!);
        child.kill('SIGKILL');
      }
      return child;
    };
    const logged: string[] = [];
    const pool = await startPool({ evaluator: SLOW, spawn, log: (line) => logged.push(line) });
    const events: SearchEvent[] = [];
    const summary = await search(pool, 6, (event) => {
      events.push(event);
      if (event.type === 'epoch_done' && event.index === 1 && event.metrics.epoch === 1) process.kill(pool.activity.find((w) => w.index === 1)!.pid!, 'SIGKILL');
    });
    expect(summary).toMatchObject({ status: 'completed', evaluations: 6 });
    expect(finishedOf(events).map((e) => e.index).sort((a, b) => a - b)).toEqual([...Array(6).keys()]);
    expect(finishedOf(events).every((e) => e.status === 'completed')).toBe(true);
    expect(doomed).toHaveLength(2);
    expect(logged.filter((line) => /exited with signal SIGKILL before it was ready: starting it again$/.test(line))).toHaveLength(2);
  });

  it('a worker that keeps dying before it is ready fails the pool after three tries, saying so', async () => {
    let spawned = 0;
    const spawn = () => (++spawned <= 3 ? forkEvaluationWorker() : spawnScript('process.exit(3);'));
    const pool = await startPool({ evaluator: SLOW, spawn });
    const evaluation = pool.evaluate(job(0, [1]), {
      onEpoch: () => void process.kill(pool.activity.find((w) => w.index === 0)!.pid!, 'SIGKILL'),
    });
    await expect(evaluation).rejects.toThrow(/^evaluation worker [1-3] exited with code 3 before it was ready \(3 times in a row\)$/);
    expect(spawned).toBe(6);
  });

  it('a malformed message from a worker is an error that names the worker and shows the message', async () => {
    // A worker that answers init correctly and every job with nonsense.
    const spawn = () =>
      spawnScript(`
        process.on('disconnect', () => process.exit(0));
        process.on('message', (m) => {
          if (m.type === 'init') process.send({ type: 'ready', settingsKey: 'x' });
          if (m.type === 'evaluate') process.send({ type: 'outcome', index: m.job.index, outcome: { status: 'splendid' } });
        });`);
    const pool = await startPool({ size: 2, spawn });
    const pids = pool.activity.map((w) => w.pid!);
    const evaluation = pool.evaluate(job(4, [1]));
    await expect(evaluation).rejects.toThrow(/^invalid message from evaluation worker [12]: [\s\S]*outcome\.status[\s\S]*message: \{"type":"outcome","index":4,"outcome":\{"status":"splendid"\}\}$/);
    // The pool is done for: later evaluations fail the same way, and its workers are ended.
    await expect(pool.evaluate(job(5, [2]))).rejects.toThrow(/invalid message from evaluation worker/);
    await vi.waitFor(() => expect(pids.filter(isAlive)).toEqual([]), { timeout: 10_000 });
  });

  it('a worker that cannot start fails the pool with its reason', async () => {
    const spawn = () => spawnScript(`process.on('message', () => process.send({ type: 'failed', message: 'no GPU here' }));`);
    await expect(startPool({ size: 2, spawn })).rejects.toThrow(/^evaluation worker [12] could not start: no GPU here$/);
    // Nor does one that answers init with nonsense.
    const garbled = () => spawnScript(`process.on('message', () => process.send({ type: 'ready' }));`);
    await expect(startPool({ size: 2, spawn: garbled })).rejects.toThrow(/^invalid message from evaluation worker [12]: [\s\S]*settingsKey/);
  });

  it('leaves no process behind: after close, and when its coordinator is killed', async () => {
    const pool = await startPool();
    const pids = pool.activity.map((w) => w.pid!);
    const cancelled = expect(pool.evaluate(job(0, [1]))).rejects.toMatchObject({ name: 'AbortError' });
    await pool.close();
    await cancelled;
    expect(pids.filter(isAlive)).toEqual([]);

    // A coordinator process with a pool of two, killed without a chance to close it.
    const coordinator = spawnScript(
      `import { ProcessPool } from ${JSON.stringify(new URL('../../../src/engine/pool/process-pool.ts', import.meta.url).href)};
       const pool = await ProcessPool.start({ size: 2, evaluator: { kind: 'fixed-latency', latencyMs: 60_000, epochs: 1 } });
       void pool.evaluate({ index: 0, action: [1], hash: 'h', architecture: null });
       process.send(pool.activity.map((w) => w.pid));`,
      { tsx: true },
    );
    const workerPids = await new Promise<number[]>((resolve) => coordinator.once('message', (m) => resolve(m as number[])));
    expect(workerPids.filter(isAlive)).toHaveLength(2);
    coordinator.kill('SIGKILL');
    await vi.waitFor(() => expect(workerPids.filter(isAlive)).toEqual([]), { timeout: 10_000 });
  });
});

describe('ProcessPool training on the synthetic dataset', () => {
  const data = { dataset: 'synthetic' as const, seed: 1 };
  const training = TrainingConfigSchema.parse({ epochs: 2, batchSize: 32, learningRate: 3e-3 });

  it('trains in two workers that split the CPU, returns weights, and refuses data that differ from the coordinator’s', async () => {
    const { settingsKey, architectures } = await syntheticSettings(data, training);
    const pool = await startPool({
      size: 2,
      backend: 'wasm',
      wasmThreads: 1,
      evaluator: { kind: 'training', data, training, settingsKey, evaluateTest: true, captureModels: true },
    });
    expect(pool.backend).toMatchObject({ name: 'wasm' });
    expect(pool.backend!.device).toMatch(/1 thread\b/);
    const outcomes = await Promise.all(architectures.map((a, i) => pool.evaluate({ index: i, action: [i], hash: a.hash, architecture: a.architecture })));
    for (const [i, outcome] of outcomes.entries()) {
      expect(outcome).toMatchObject({ status: 'completed', hash: architectures[i].hash, cached: false });
      expect(outcome.epochs).toHaveLength(2);
      expect(outcome.testAccuracy).toBeGreaterThan(0.5);
      expect(outcome.model?.weightData.byteLength).toBe(4 * outcome.params!);
    }
    await expect(
      startPool({ size: 1, backend: 'wasm', wasmThreads: 1, evaluator: { kind: 'training', data: { ...data, subset: 100 }, training, settingsKey, evaluateTest: false, captureModels: false } }),
    ).rejects.toThrow(/^evaluation worker 1 could not start: evaluation worker 1 refuses to evaluate: its data and settings \(.*\) differ from the coordinator's/);
  });
});
