/**
 * The local worker pool's scaling, and what it costs the coordinator.
 * `npm run -s bench:pool` prints one JSON object:
 *   {"latency_ms", "per_worker", "pools": [{"workers","candidates","wall_s","speedup","efficiency",
 *    "overhead_ms_per_candidate","agent_ms_per_candidate","evaluated"}, ...], "bullmq"?: {the same fields},
 *    "training"?: {...}}
 * Each pool is real worker processes (ProcessPool) with the fixed-latency evaluator (each candidate
 * takes `latency_ms`, nothing is trained), driven by the product's search loop and random search
 * over the MetaQNN action set; every worker gets `per_worker` candidates, so a perfect pool takes
 * the same wall time at every size. A repeated architecture is served by the replay cache without
 * a worker, so the figures count evaluated candidates only (`evaluated` = candidates − cache hits).
 * `bullmq`: the same with `--bullmq` workers (default 4) taking the candidates from a queue on Redis:
 * `gennerator worker` processes of concurrency 1 each, a redis-server of its own on localhost
 * (Debian's redis-server), the coordinator's QueuePool; its speedup is over the local pool of one worker.
 * speedup: evaluations per second over one worker's; efficiency: speedup / workers.
 * overhead_ms_per_candidate: worker time not spent evaluating, per evaluation,
 * (wall × workers − evaluated × latency) / evaluated: the coordinator's share (asking, telling,
 * messages) plus the wait for the last stragglers. Worker start-up is not timed.
 *
 * Options: --workers 1,2,4,8,16  --latency 200 (ms)  --per-worker 10  --bullmq 4 (0: no BullMQ row)
 *   --training: also times the CLI's `search --workers 2` against `--workers 1` on Fashion-MNIST
 *   (random search, 6 candidates, 1 epoch, --subset 2000; a history in a temporary directory).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ActionGrammar, parseActionSet } from '../src/shared/action-set';
import { RandomSearch } from '../src/engine/agents/random-search';
import { ProcessPool } from '../src/engine/pool/process-pool';
import { QueuePool } from '../src/engine/pool/queue-pool';
import type { EvaluationPool } from '../src/engine/pool/types';
import { computeReward, DEFAULT_REWARD } from '../src/engine/search/reward';
import { SearchLoop } from '../src/engine/search/search-loop';
import { ActionSetSpace } from '../src/engine/search/space';
import { cliSearch } from './support/cli-search';
// The tests' own redis-server and `gennerator worker` starters: one home for how they start.
import { startQueueWorker } from '../test/support/queue-workers';
import { startRedisServer } from '../test/support/redis-server';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '1,2,4,8,16' },
    latency: { type: 'string', default: '200' },
    'per-worker': { type: 'string', default: '10' },
    bullmq: { type: 'string', default: '4' },
    training: { type: 'boolean', default: false },
  },
  strict: true,
});
const positive = (name: string, text: string) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(text)}`);
  return n;
};
const sizes = values.workers.split(',').map((w) => positive('workers', w.trim()));
const latencyMs = positive('latency', values.latency);
const perWorker = positive('per-worker', values['per-worker']);
const bullmqWorkers = values.bullmq.trim() === '0' ? 0 : positive('bullmq', values.bullmq);

const root = new URL('..', import.meta.url);
const actionSet = parseActionSet(JSON.parse(readFileSync(new URL('resources/action-sets/metaqnn.json', root), 'utf8')));
const space = new ActionSetSpace(new ActionGrammar(actionSet, [28, 28, 1]));

const evaluator = { kind: 'fixed-latency', latencyMs, epochs: 1 } as const;

/** The search loop over `pool` (started, its workers ready), timed. */
async function measure(workers: number, pool: EvaluationPool, runId = `bench-pool-${workers}`) {
  const candidates = workers * perWorker;
  try {
    let agentSeconds = 0;
    const loop = new SearchLoop(new RandomSearch(space.nvec, workers, undefined, (prefix) => space.slotMask(prefix)), space, {
      runId,
      evaluator: 'training',
      budget: { evaluations: candidates },
      pool,
      reward: (action, outcome, previous) => computeReward(outcome, previous, space.layers(action).length, DEFAULT_REWARD),
      onEvent: (event) => {
        if (event.type === 'candidate_finished') agentSeconds += event.agentSeconds ?? 0;
      },
    });
    const started = performance.now();
    const summary = await loop.run();
    const wallMs = performance.now() - started;
    return { workers, candidates, evaluated: candidates - summary.cacheHits, wallMs, agentMs: (agentSeconds * 1000) / candidates };
  } finally {
    await pool.close();
  }
}

const round = (x: number, digits = 3) => Number(x.toFixed(digits));

/** `workers` BullMQ workers in processes of their own, on a redis-server of the bench's own; their start-up is not timed. */
async function measureBullmq(workers: number) {
  const redis = await startRedisServer();
  const runId = randomUUID();
  const processes = Array.from({ length: workers }, () => startQueueWorker(redis.url(), ['--concurrency', '1', '--run', runId]));
  try {
    const pool = await QueuePool.open({ url: redis.url(), runId, size: workers, evaluator, backend: 'auto' });
    await Promise.all(processes.map((p) => p.waitFor(/serving run/)));
    // A worker starts its evaluation process on its first job: one job each (concurrency 1), untimed, as the local pools start before timing.
    const warmUp = Array.from({ length: workers }, (_, i) => ({ index: 1_000_000 + i, action: [i], hash: `warm-up-${i}`, architecture: {} }));
    await Promise.all(warmUp.map((job) => pool.evaluate(job, {})));
    return await measure(workers, pool, runId);
  } finally {
    await Promise.all(processes.map((p) => p.kill()));
    await redis.kill();
  }
}

const measured: Array<Awaited<ReturnType<typeof measure>>> = [];
for (const workers of sizes) measured.push(await measure(workers, await ProcessPool.start({ size: workers, evaluator })));
const base = measured.find((m) => m.workers === 1) ?? measured[0];
const baseRate = base.evaluated / base.wallMs / base.workers;
const row = (m: (typeof measured)[number]) => {
  const speedup = m.evaluated / m.wallMs / baseRate;
  return {
    workers: m.workers,
    candidates: m.candidates,
    evaluated: m.evaluated,
    wall_s: round(m.wallMs / 1000),
    speedup: round(speedup, 2),
    efficiency: round(speedup / m.workers, 3),
    overhead_ms_per_candidate: round((m.wallMs * m.workers - m.evaluated * latencyMs) / m.evaluated, 1),
    agent_ms_per_candidate: round(m.agentMs, 2),
  };
};
const pools = measured.map(row);
const bullmq = bullmqWorkers > 0 ? row(await measureBullmq(bullmqWorkers)) : undefined;

/** Wall time of the CLI's search with `workers` workers on Fashion-MNIST (from spawn to exit). */
async function timedSearch(workers: number): Promise<{ workers: number; wall_s: number; evaluations: number; best_signal: number }> {
  const args = ['--dataset', 'fashion-mnist', '--subset', '2000', '--epochs', '1', '--strategy', 'random', '--budget', '6', '--seed', '0', '--workers', String(workers)];
  const { wallSeconds, summary } = await cliSearch(args);
  return { workers, wall_s: round(wallSeconds, 1), evaluations: summary.evaluations as number, best_signal: round(summary.best_signal as number) };
}

const training = values.training ? { one: await timedSearch(1), two: await timedSearch(2) } : undefined;
console.log(
  JSON.stringify({
    latency_ms: latencyMs,
    per_worker: perWorker,
    pools,
    ...(bullmq ? { bullmq } : {}),
    ...(training ? { training: { dataset: 'fashion-mnist', subset: 2000, epochs: 1, candidates: 6, runs: [training.one, training.two], speedup: round(training.one.wall_s / training.two.wall_s, 2) } } : {}),
  }),
);
