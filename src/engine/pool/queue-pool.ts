/**
 * Evaluates a run's candidates on other machines: each candidate is a job on the run's own BullMQ
 * queue on Redis (redis-queue.ts), taken by `gennerator worker` processes (queue-worker.ts) wherever
 * they run. The coordinator (the engine process) stays the only writer of the history: workers only
 * evaluate, and their epochs and results come back here, parsed with the worker-messages schemas.
 *
 * Delivery is at least once. A worker that dies or stalls stops renewing its job's lock, and BullMQ
 * gives the job to another; a job that fails `attempts` times (or loses more workers than BullMQ
 * allows) settles as a failed candidate with the reason. Results are idempotent by candidate: the
 * first settles it, a second is ignored and logged. A malformed result is a failed candidate that
 * says what was wrong with it. Besides BullMQ's events, the pool looks up its candidates' jobs every
 * `pollMs`, so an event lost on a reconnection loses no result.
 *
 * Epochs arrive as job progress (the live view and early stopping follow them); a prune verdict goes
 * back through the run's verdict hash and channel, and the worker stops the candidate after its
 * current epoch. If Redis stays unreachable for `connectionTimeoutMs`, every evaluation rejects with
 * an error that names the URL (never its password): the run fails, everything recorded stays, and
 * `resume` continues it. close() removes the run's queue and keys (after a run that was killed they
 * stay, for its resume).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import type { BackendChoice } from '../../shared/backend';
import { redisUrlForDisplay } from '../../shared/redis-url';
import {
  parseWith,
  queuedProgressSchema,
  queuedResultSchema,
  workerOutcomeSchema,
  type EvaluationJobMessage,
  type QueuedEvaluation,
  type QueuedVerdict,
  type WorkerEvaluator,
} from '../../shared/worker-messages';
import { CandidateCancelled, type CandidateOutcome, type EvaluationHooks, type EvaluationJob } from '../evaluators/types';
import { decodeModelMessage } from '../model/artifact';
import { errorMessage } from '../run/error-message';
import { candidateJobId, HEARTBEAT_MS, LEFTOVER_TTL_S, modelsKey, QUEUE_PREFIX, redisOptions, RUN_REGISTRY_KEY, runQueueName, verdictsKey } from './redis-queue';
import type { EvaluationPool } from './types';

export interface QueuePoolOptions {
  /** redis:// or rediss:// (see src/shared/redis-url.ts). */
  url: string;
  runId: string;
  /** Candidates queued or in evaluation at once (the run's `workers`). */
  size: number;
  /** What the workers build their evaluator from. */
  evaluator: WorkerEvaluator;
  backend: BackendChoice;
  /** Evaluations a candidate may fail before it counts as failed. Default 3. */
  attempts?: number;
  /** How long Redis may stay unreachable before the pool fails. Default 10 s. */
  connectionTimeoutMs?: number;
  /** How often the candidates' jobs are looked up, besides BullMQ's events. Default 2 s. */
  pollMs?: number;
  /** Retries, stalls and ignored results. Default: stderr. */
  log?: (line: string) => void;
}

/** Redis cannot be reached: the message names it without its password. */
export class QueuePoolError extends Error {
  override name = 'QueuePoolError';
}

interface Waiting {
  job: EvaluationJob;
  hooks: EvaluationHooks;
  resolve(outcome: CandidateOutcome): void;
  reject(error: unknown): void;
  /** The last epoch reported: a candidate evaluated again reports only the epochs after it. */
  lastEpoch: number;
  pruned: boolean;
  /** Failed attempts already logged. */
  attemptsLogged: number;
  /** Its result has arrived and is being read. */
  taken: boolean;
  /** Stops listening to the caller's abort signal. */
  detach(): void;
}

export class QueuePool implements EvaluationPool {
  readonly size: number;
  /** The Redis URL without its password, for messages. */
  readonly remote: string;
  private readonly queueName: string;
  private readonly attempts: number;
  private readonly log: (line: string) => void;
  private readonly redis: Redis;
  private queue?: Queue;
  private events?: QueueEvents;
  /** Candidates in flight by job id. */
  private readonly waiting = new Map<string, Waiting>();
  /** How often each job finished (BullMQ's events): more than once is at-least-once delivery at work. */
  private readonly finishes = new Map<string, number>();
  private readonly timers: NodeJS.Timeout[] = [];
  private failed?: Error;
  private closing = false;
  private downSince?: number;
  private lastError?: string;

  /** Connects, registers the run for the workers, and resolves once events are followed; rejects with a QueuePoolError naming the URL. */
  static async open(options: QueuePoolOptions): Promise<QueuePool> {
    const pool = new QueuePool(options);
    try {
      await pool.connect();
    } catch (error) {
      await pool.disconnect();
      throw error instanceof QueuePoolError ? error : new QueuePoolError(`cannot use Redis at ${pool.remote}: ${errorMessage(error)}`);
    }
    return pool;
  }

  private constructor(private readonly options: QueuePoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new RangeError(`a queue pool keeps at least one candidate in flight, got ${options.size}`);
    this.size = options.size;
    this.remote = redisUrlForDisplay(options.url);
    this.queueName = runQueueName(options.runId);
    this.attempts = options.attempts ?? 3;
    this.log = options.log ?? ((line) => console.error(line));
    this.redis = new Redis({ ...redisOptions(options.url), lazyConnect: true, maxRetriesPerRequest: null });
    this.redis.on('error', (error: Error) => (this.lastError = error.message));
  }

  evaluate(job: EvaluationJob, hooks: EvaluationHooks = {}): Promise<CandidateOutcome> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.closing || hooks.signal?.aborted) return Promise.reject(new CandidateCancelled());
    const jobId = candidateJobId(job.index, job.hash);
    return new Promise((resolve, reject) => {
      const onAbort = () => this.cancel(jobId);
      const waiting: Waiting = { job, hooks, resolve, reject, lastEpoch: 0, pruned: false, attemptsLogged: 0, taken: false, detach: () => hooks.signal?.removeEventListener('abort', onAbort) };
      hooks.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(jobId, waiting);
      this.enqueue(jobId, waiting).catch((error: unknown) => {
        if (this.waiting.get(jobId) === waiting) this.settle(jobId).reject(this.failed ?? new QueuePoolError(`could not queue candidate ${job.index} on Redis at ${this.remote}: ${errorMessage(error)}`));
      });
    });
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const timer of this.timers) clearInterval(timer);
    const inFlight = [...this.waiting.values()];
    for (const jobId of [...this.waiting.keys()]) this.settle(jobId).reject(new CandidateCancelled());
    if (!this.failed && this.queue) {
      const queue = this.queue;
      const cleanUp = async () => {
        await this.redis.zrem(RUN_REGISTRY_KEY, this.queueName);
        for (const { job } of inFlight) await this.sendVerdict({ type: 'cancel', index: job.index });
        await queue.obliterate({ force: true });
        await this.redis.del(verdictsKey(this.queueName), modelsKey(this.queueName));
      };
      await within(5000, cleanUp()).catch((error: unknown) => this.log(`could not remove the queue of run ${this.options.runId} from Redis at ${this.remote}: ${errorMessage(error)}`));
    }
    await this.disconnect();
  }

  private async connect(): Promise<void> {
    const timeout = this.options.connectionTimeoutMs ?? 10_000;
    const unreachable = () => new QueuePoolError(`cannot reach Redis at ${this.remote}${this.lastError ? `: ${this.lastError}` : ''}`);
    await within(timeout, this.redis.connect(), unreachable).catch((error: unknown) => {
      // ioredis rejects with "Connection is closed": the reason is the error it emitted.
      throw error instanceof QueuePoolError ? error : new QueuePoolError(`cannot reach Redis at ${this.remote}: ${this.lastError ?? (error as Error).message}`);
    });
    const connection = redisOptions(this.options.url);
    const queueEvents = `${QUEUE_PREFIX}:${this.queueName}:events`;
    // Follow events from the last one written, so that none between now and the first read is missed.
    const [last] = await this.redis.xrevrange(queueEvents, '+', '-', 'COUNT', 1);
    this.queue = new Queue(this.queueName, { connection, prefix: QUEUE_PREFIX });
    this.events = new QueueEvents(this.queueName, { connection, prefix: QUEUE_PREFIX, lastEventId: last?.[0] ?? '0-0' });
    const onError = (error: Error) => (this.lastError = error.message);
    this.queue.on('error', onError);
    this.events.on('error', onError);
    this.events.on('progress', ({ jobId, data }) => this.onProgress(jobId, data));
    this.events.on('completed', ({ jobId, returnvalue }) => this.finished(jobId) && void this.onCompleted(jobId, returnvalue));
    this.events.on('failed', ({ jobId, failedReason }) => this.finished(jobId) && void this.onFailed(jobId, failedReason));
    this.events.on('waiting', ({ jobId, prev }) => prev === 'active' && void this.onRetry(jobId));
    this.events.on('stalled', ({ jobId }) => {
      const waiting = this.waiting.get(jobId);
      if (waiting) this.log(`candidate ${waiting.job.index}: its worker stopped renewing the job's lock (it died or stalled): it goes to another worker`);
    });
    await within(timeout, Promise.all([this.queue.waitUntilReady(), this.events.waitUntilReady()]), unreachable);
    await this.heartbeat();
    this.timers.push(
      setInterval(() => void this.heartbeat().catch(() => undefined), HEARTBEAT_MS),
      setInterval(() => void this.poll().catch(() => undefined), this.options.pollMs ?? 2000),
      setInterval(() => this.watchConnection(timeout), 500),
    );
  }

  /** Tells the workers the run is alive (they serve live runs only). */
  private heartbeat(): Promise<unknown> {
    return this.redis.zadd(RUN_REGISTRY_KEY, Date.now(), this.queueName);
  }

  /** Fails the pool once Redis has been unreachable for `timeout` ms. */
  private watchConnection(timeout: number): void {
    if (this.redis.status === 'ready') {
      this.downSince = undefined;
      return;
    }
    this.downSince ??= Date.now();
    if (Date.now() - this.downSince < timeout) return;
    const why = this.lastError ? ` (${this.lastError})` : '';
    this.fail(new QueuePoolError(`lost the connection to Redis at ${this.remote}${why} for ${Math.round(timeout / 1000)} s: candidates already recorded are kept; resume the run once Redis is back`));
  }

  /**
   * Queues the candidate, or finds its job: a coordinator that restarts (resume) asks again for the
   * candidates it had in flight, whose jobs may still be queued, running, or finished meanwhile.
   */
  private async enqueue(jobId: string, waiting: Waiting): Promise<void> {
    const queue = this.queue!;
    const existing = await queue.getJob(jobId);
    if (existing) {
      const state = await existing.getState();
      if (state === 'completed') return this.onCompleted(jobId, existing.returnvalue);
      if (state === 'failed') return this.onFailed(jobId, existing.failedReason);
      if (state !== 'unknown') return;
    }
    const data: QueuedEvaluation = { run: this.options.runId, evaluator: this.options.evaluator, backend: this.options.backend, job: waiting.job as EvaluationJobMessage };
    // A new job starts with no verdict (one left from before a restart was about another evaluation).
    await this.redis.hdel(verdictsKey(this.queueName), String(waiting.job.index));
    await queue.add('evaluate', data, { jobId, attempts: this.attempts, removeOnComplete: false, removeOnFail: false });
  }

  private onProgress(jobId: string, data: unknown): void {
    const waiting = this.waiting.get(jobId);
    if (!waiting) return;
    const { index } = waiting.job;
    let metrics;
    try {
      const message = parseWith(queuedProgressSchema, data, `a worker (epoch of candidate ${index})`);
      if (message.index !== index) throw new Error(`an epoch of candidate ${message.index} arrived on the job of candidate ${index}`);
      metrics = message.metrics;
    } catch (error) {
      // An epoch is for the live view and early stopping: the result still decides the candidate.
      return this.log(`ignored an epoch: ${errorMessage(error)}`);
    }
    if (metrics.epoch <= waiting.lastEpoch) return;
    waiting.lastEpoch = metrics.epoch;
    if (waiting.hooks.onEpoch?.(metrics) === 'prune' && !waiting.pruned) {
      waiting.pruned = true;
      this.sendVerdict({ type: 'prune', index }).catch((error: unknown) => this.log(`could not send the prune verdict on candidate ${index}: ${errorMessage(error)}`));
    }
  }

  private async onCompleted(jobId: string, returnvalue: unknown): Promise<void> {
    const waiting = this.take(jobId);
    if (!waiting) return;
    const { index, hash } = waiting.job;
    try {
      const result = parseWith(queuedResultSchema, returnvalue, `a worker (result of candidate ${index})`);
      if (result.index !== index || result.outcome.hash !== hash) {
        throw new Error(`the result of candidate ${result.index} (${result.outcome.hash}) arrived on the job of candidate ${index} (${hash})`);
      }
      const outcome = await this.withModel(result.outcome, result.model, index);
      this.settle(jobId).resolve(outcome);
    } catch (error) {
      const reason = `invalid result from a remote worker: ${errorMessage(error)}`;
      this.log(`candidate ${index}: ${reason}`);
      this.settle(jobId).resolve({ status: 'failed', signal: 0, epochs: [], error: reason, hash, cached: false });
    }
  }

  /** The outcome with its weights, taken from the run's model hash (and parsed with the outcome's schema). */
  private async withModel(outcome: Omit<CandidateOutcome, 'model'>, stored: boolean, index: number): Promise<CandidateOutcome> {
    if (!stored) return outcome;
    const key = modelsKey(this.queueName);
    const text = await this.redis.hget(key, String(index));
    await this.redis.hdel(key, String(index));
    if (text === null) {
      this.log(`candidate ${index}: its weights were not on Redis: recorded without them`);
      return outcome;
    }
    const { model } = parseWith(workerOutcomeSchema, { ...outcome, model: JSON.parse(text) }, `a worker (weights of candidate ${index})`);
    return { ...outcome, ...(model ? { model: decodeModelMessage(model) } : {}) };
  }

  private async onFailed(jobId: string, reason: string | undefined): Promise<void> {
    const waiting = this.take(jobId);
    if (!waiting) return;
    const attempts = await this.queue!.getJob(jobId).then(
      (job) => job?.attemptsMade,
      () => undefined,
    );
    const error = `evaluation failed on remote workers${attempts ? ` (${attempts} attempt${attempts === 1 ? '' : 's'})` : ''}: ${reason ?? 'no reason given'}`;
    this.log(`candidate ${waiting.job.index}: ${error}`);
    this.settle(jobId).resolve({ status: 'failed', signal: 0, epochs: [], error, hash: waiting.job.hash, cached: false });
  }

  /** A job back in the queue after a failed attempt (or a stall): say why, once per attempt. */
  private async onRetry(jobId: string): Promise<void> {
    const waiting = this.waiting.get(jobId);
    const job = waiting && (await this.queue!.getJob(jobId).catch(() => undefined));
    if (!waiting || !job?.failedReason || job.attemptsMade <= waiting.attemptsLogged) return;
    waiting.attemptsLogged = job.attemptsMade;
    this.log(`candidate ${waiting.job.index}: attempt ${job.attemptsMade} of ${this.attempts} failed${job.processedBy ? ` on ${job.processedBy}` : ''}: ${job.failedReason}`);
  }

  /**
   * Counts a job's end as BullMQ announced it; false (and logged) for a second one: the job ran and
   * finished again (a worker that lost its lock, a job retried by hand), and the first result stands.
   */
  private finished(jobId: string): boolean {
    const count = (this.finishes.get(jobId) ?? 0) + 1;
    this.finishes.set(jobId, count);
    if (count === 1) return true;
    this.log(`ignored a second result for job ${jobId}: delivery is at least once, the first result stands`);
    return false;
  }

  /** The candidate waiting for this job's result, now taken (once: the result may be seen by an event and by a look-up). */
  private take(jobId: string): Waiting | undefined {
    const waiting = this.waiting.get(jobId);
    if (!waiting || waiting.taken) return undefined;
    waiting.taken = true;
    return waiting;
  }

  /** The job's candidate, no longer in flight: its promise callbacks (which do nothing if the pool has settled it meanwhile). */
  private settle(jobId: string): Pick<Waiting, 'resolve' | 'reject'> {
    const waiting = this.waiting.get(jobId);
    if (!waiting) return { resolve: () => undefined, reject: () => undefined };
    this.waiting.delete(jobId);
    waiting.detach();
    return waiting;
  }

  /** Looks up every candidate's job: a result whose event was missed, a job that is gone (Redis restarted empty). */
  private async poll(): Promise<void> {
    for (const [jobId, waiting] of [...this.waiting]) {
      if (this.closing || this.failed) return;
      const job = await this.queue!.getJob(jobId);
      if (this.waiting.get(jobId) !== waiting || waiting.taken) continue;
      if (!job) {
        await this.enqueue(jobId, waiting);
        continue;
      }
      const state = await job.getState();
      if (state === 'completed') await this.onCompleted(jobId, job.returnvalue);
      else if (state === 'failed') await this.onFailed(jobId, job.failedReason);
    }
  }

  private async sendVerdict(verdict: QueuedVerdict): Promise<void> {
    const key = verdictsKey(this.queueName);
    const text = JSON.stringify(verdict);
    // Kept for a worker that starts the candidate again later; published for the one evaluating it now.
    await this.redis.multi().hset(key, String(verdict.index), text).expire(key, LEFTOVER_TTL_S).publish(key, text).exec();
  }

  private cancel(jobId: string): void {
    const waiting = this.waiting.get(jobId);
    if (!waiting) return;
    this.settle(jobId).reject(new CandidateCancelled());
    this.sendVerdict({ type: 'cancel', index: waiting.job.index }).catch(() => undefined);
  }

  /** Redis is gone for good: every candidate in flight rejects with `error`. */
  private fail(error: Error): void {
    if (this.failed || this.closing) return;
    this.failed = error;
    for (const jobId of [...this.waiting.keys()]) this.settle(jobId).reject(error);
  }

  private async disconnect(): Promise<void> {
    const closing = Promise.allSettled([this.events?.close(), this.queue?.close()]);
    await within(3000, closing).catch(() => {
      // Redis is gone: stop reconnecting (BullMQ's disconnect waits for an end that may not come).
      for (const client of [this.events, this.queue]) client?.disconnect().catch(() => undefined);
    });
    this.redis.disconnect();
  }
}

/** `promise`, or a rejection (with `error()`, or a timeout error) after `ms`. */
async function within<T>(ms: number, promise: Promise<T>, error: () => Error = () => new Error(`no answer within ${ms / 1000} s`)): Promise<T> {
  const timeout = new AbortController();
  try {
    return await Promise.race([promise, delay(ms, undefined, { signal: timeout.signal }).then(() => Promise.reject(error()))]);
  } finally {
    timeout.abort();
  }
}
