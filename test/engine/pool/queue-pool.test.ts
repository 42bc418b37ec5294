/**
 * Scale-out through BullMQ on a real redis-server: the coordinator's QueuePool and real
 * `gennerator worker` processes (the fixed-latency evaluator: no TensorFlow.js unless a test trains).
 * Two workers serve every test on database 0; the tests that play a misbehaving worker themselves
 * use database 1, which those two do not see.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionGrammar, parseActionSet } from '../../../src/shared/action-set';
import { architectureHash, parseArchitecture } from '../../../src/shared/architecture';
import type { SearchEvent } from '../../../src/shared/events';
import type { QueuedEvaluation, QueuedResult, WorkerEvaluator } from '../../../src/shared/worker-messages';
import { RandomSearch } from '../../../src/engine/agents/random-search';
import { fixedLatencySignal } from '../../../src/engine/evaluators/fixed-latency';
import type { CandidateOutcome, EvaluationHooks, EvaluationJob } from '../../../src/engine/evaluators/types';
import { QueuePool } from '../../../src/engine/pool/queue-pool';
import { candidateJobId, QUEUE_PREFIX, redisOptions, RUN_REGISTRY_KEY, runQueueName } from '../../../src/engine/pool/redis-queue';
import { computeReward, DEFAULT_REWARD } from '../../../src/engine/search/reward';
import { SearchLoop } from '../../../src/engine/search/search-loop';
import { ActionSetSpace } from '../../../src/engine/search/space';
import { startQueueWorker, type WorkerProcess } from '../../support/queue-workers';
import { startRedisServer, type RedisServer } from '../../support/redis-server';

let redis: RedisServer;
let workers: WorkerProcess[] = [];
const closers: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  redis = await startRedisServer();
  workers = [startQueueWorker(redis.url()), startQueueWorker(redis.url())];
});

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await Promise.all(workers.map((w) => w.kill()));
  await redis?.kill();
});

const FAST: WorkerEvaluator = { kind: 'fixed-latency', latencyMs: 150, epochs: 2 };

async function openPool(options: { evaluator?: WorkerEvaluator; size?: number; attempts?: number; db?: number; log?: (line: string) => void } = {}) {
  const runId = randomUUID();
  const pool = await QueuePool.open({
    url: redis.url(options.db),
    runId,
    size: options.size ?? 1,
    evaluator: options.evaluator ?? FAST,
    backend: 'wasm',
    attempts: options.attempts,
    log: options.log ?? (() => undefined),
  });
  closers.push(() => pool.close());
  return { runId, pool };
}

function candidate(index: number, units = 8): EvaluationJob {
  const architecture = { layers: [{ type: 'flatten' }, { type: 'dense', units }] };
  return { index, action: [index % 4, units], hash: architectureHash(parseArchitecture(architecture).layers), architecture };
}

/** The coordinator's log, and a wait for a line to appear in it. */
function logLines() {
  const lines: string[] = [];
  const waiting = new Set<() => void>();
  return {
    lines,
    push: (line: string) => {
      lines.push(line);
      for (const check of waiting) check();
    },
    waitFor: (pattern: RegExp) =>
      new Promise<void>((resolve) => {
        const check = () => lines.some((line) => pattern.test(line)) && (waiting.delete(check), resolve());
        waiting.add(check);
        check();
      }),
  };
}

describe('a search through Redis', () => {
  it('with two worker processes evaluates every candidate index once, each by the job it was given, with its epochs', async () => {
    const { runId, pool } = await openPool({ size: 2 });
    await Promise.all(workers.map((w) => w.waitFor(new RegExp(`serving run ${runId}`))));
    const actionSet = parseActionSet(JSON.parse(readFileSync(new URL('../../../resources/action-sets/metaqnn.json', import.meta.url), 'utf8')));
    const space = new ActionSetSpace(new ActionGrammar(actionSet, [28, 28, 1]));
    const events: SearchEvent[] = [];
    const budget = 12;
    const loop = new SearchLoop(new RandomSearch(space.nvec, 1, undefined, (prefix) => space.slotMask(prefix)), space, {
      runId,
      evaluator: 'training',
      budget: { evaluations: budget },
      pool,
      reward: (action, outcome, previous) => computeReward(outcome, previous, space.layers(action).length, DEFAULT_REWARD),
      onEvent: (event) => events.push(event),
    });
    const summary = await loop.run();
    expect(summary.status).toBe('completed');
    const proposed = new Map(events.flatMap((e) => (e.type === 'candidate_proposed' ? [[e.index, e.action] as const] : [])));
    const finished = events.flatMap((e) => (e.type === 'candidate_finished' ? [e] : []));
    expect(finished.map((e) => e.index).sort((a, b) => a - b)).toEqual(Array.from({ length: budget }, (_, i) => i));
    for (const event of finished) {
      expect(event.status).toBe('completed');
      expect(event.signal).toBeCloseTo(fixedLatencySignal(proposed.get(event.index)!), 12);
      if (event.cached) continue;
      const epochs = events.flatMap((e) => (e.type === 'epoch_done' && e.index === event.index ? [e.metrics.epoch] : []));
      expect(epochs, `epochs of candidate ${event.index}`).toEqual([1, 2]);
    }
    // Both machines' share: each worker evaluated some.
    for (const worker of workers) expect(worker.output()).toMatch(new RegExp(`run ${runId}: candidate \\d+ completed`));
    await pool.close();
    const client = new Redis(redis.url());
    expect(await client.keys(`${QUEUE_PREFIX}:*${runId}*`)).toEqual([]);
    expect(await client.zscore(RUN_REGISTRY_KEY, runQueueName(runId))).toBeNull();
    client.disconnect();
  });

  it('prunes a candidate on a remote worker: the verdict reaches it and it stops early', async () => {
    const { pool } = await openPool({ evaluator: { kind: 'fixed-latency', latencyMs: 6000, epochs: 12 } });
    const verdicts: number[] = [];
    const outcome = await pool.evaluate(candidate(0), {
      onEpoch: (metrics) => {
        verdicts.push(metrics.epoch);
        return 'prune';
      },
    });
    expect(outcome.status).toBe('pruned');
    expect(outcome.epochs.length).toBeLessThan(12);
    expect(outcome.epochs.length).toBeGreaterThanOrEqual(1);
  });

  it('runs a job again on another worker when its worker is killed in the middle (SIGKILL)', async () => {
    const log = logLines();
    const { runId, pool } = await openPool({ evaluator: { kind: 'fixed-latency', latencyMs: 3000, epochs: 3 }, log: log.push });
    await Promise.all(workers.map((w) => w.waitFor(new RegExp(`serving run ${runId}`))));
    let firstEpoch!: () => void;
    const started = new Promise<void>((resolve) => (firstEpoch = resolve));
    const job = candidate(0);
    const outcome = pool.evaluate(job, { onEpoch: () => firstEpoch() });
    await started;
    const queue = new Queue(runQueueName(runId), { connection: redisOptions(redis.url()), prefix: QUEUE_PREFIX });
    closers.push(() => queue.close());
    const jobId = candidateJobId(job.index, job.hash);
    const first = (await queue.getJob(jobId))!.processedBy!;
    const victim = workers.find((w) => first.endsWith(`:${w.child.pid}`))!;
    expect(victim, `${first} is one of the workers`).toBeDefined();
    await victim.kill();
    const result = await outcome;
    expect(result.status).toBe('completed');
    expect(result.signal).toBe(fixedLatencySignal(job.action));
    expect((await queue.getJob(jobId))!.processedBy).not.toBe(first);
    expect(log.lines.join('\n')).toMatch(/candidate 0: its worker stopped renewing the job's lock/);
    // The test after this one needs two workers again.
    workers = [...workers.filter((w) => w !== victim), startQueueWorker(redis.url())];
  });
});

describe('what crosses Redis is checked', () => {
  it('a worker refuses a malformed job for good, saying what is wrong with it', async () => {
    const runId = randomUUID();
    const queueName = runQueueName(runId);
    const client = new Redis(redis.url());
    closers.push(async () => client.disconnect());
    await client.zadd(RUN_REGISTRY_KEY, Date.now(), queueName);
    const queue = new Queue(queueName, { connection: redisOptions(redis.url()), prefix: QUEUE_PREFIX });
    const events = new QueueEvents(queueName, { connection: redisOptions(redis.url()), prefix: QUEUE_PREFIX });
    closers.push(() => queue.close(), () => events.close());
    await events.waitUntilReady();
    const job = await queue.add('evaluate', { run: runId, evaluator: FAST, backend: 'auto', job: { index: 'zero', action: [], hash: 'h' } }, { jobId: 'candidate-0-h', attempts: 3 });
    await expect(job.waitUntilFinished(events)).rejects.toThrow(new RegExp(`invalid message from the coordinator of run ${runId} \\(job candidate-0-h\\)[\\s\\S]*index`));
    // Refused for good: not attempted again.
    expect((await queue.getJob('candidate-0-h'))!.attemptsMade).toBe(1);
  });

  it('a malformed result makes a failed candidate that says so', async () => {
    const { runId, pool } = await openPool({ db: 1 });
    const fake = new Worker(runQueueName(runId), async () => ({ type: 'outcome', index: 0, outcome: { signal: 'high' } }), { connection: redisOptions(redis.url(1)), prefix: QUEUE_PREFIX });
    closers.push(() => fake.close());
    const outcome = await pool.evaluate(candidate(0), {});
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatch(/^invalid result from a remote worker: invalid message from a worker \(result of candidate 0\)/);
  });

  it('a second result for a finished candidate is ignored and logged; the first stands', async () => {
    const log = logLines();
    const { runId, pool } = await openPool({ db: 1, log: log.push });
    let calls = 0;
    const answer = async (job: Job<QueuedEvaluation>): Promise<QueuedResult> => {
      calls++;
      const { index, hash } = job.data.job;
      const outcome: Omit<CandidateOutcome, 'model'> = { status: 'completed', signal: calls / 10, epochs: [], hash, cached: false };
      return { type: 'outcome', index, outcome, model: false, worker: 'test' };
    };
    const fake = new Worker(runQueueName(runId), answer, { connection: redisOptions(redis.url(1)), prefix: QUEUE_PREFIX });
    closers.push(() => fake.close());
    const job = candidate(0);
    const first = await pool.evaluate(job, {});
    expect(first.signal).toBe(0.1);
    // At-least-once delivery: the same job evaluated and finished a second time.
    const queue = new Queue(runQueueName(runId), { connection: redisOptions(redis.url(1)), prefix: QUEUE_PREFIX });
    closers.push(() => queue.close());
    await (await queue.getJob(candidateJobId(job.index, job.hash)))!.retry('completed');
    await log.waitFor(/ignored a second result for job candidate-0-\w+: delivery is at least once, the first result stands/);
    expect(calls).toBe(2);
  });

  it("a worker whose data differ from the coordinator's refuses the candidate, with the reason", async () => {
    const evaluator: WorkerEvaluator = {
      kind: 'training',
      data: { dataset: 'synthetic', seed: 0 },
      training: { epochs: 1, batchSize: 32, learningRate: 1e-3, optimizer: 'adam', weightDecay: 0, seed: 0 },
      settingsKey: 'the-coordinators-data',
      evaluateTest: true,
      captureModels: false,
    };
    const { runId, pool } = await openPool({ evaluator, attempts: 1 });
    const outcome = await pool.evaluate(candidate(0), {} satisfies EvaluationHooks);
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatch(/cannot evaluate run .*'s candidates: .*refuses to evaluate: its data and settings \(.*\) differ from the coordinator's \(the-coordinators-data\)/);
    const refusing = workers.find((w) => w.output().includes(`cannot evaluate run ${runId}`))!;
    expect(refusing.output()).toMatch(/takes no more of its jobs/);
  });
});
