/**
 * `gennerator worker`: evaluates candidates that runs queued on a Redis (queue-pool.ts is the other
 * side). It serves every live run (those whose coordinator checks in, in gennerator:runs) or one
 * given run, `concurrency` candidates at a time, each in an evaluation process of its own
 * (evaluator-pools.ts): training never blocks this process's event loop, from which BullMQ renews
 * the locks of the jobs in evaluation.
 *
 * Every job is parsed with the worker-messages schemas; a malformed one is refused for good (it
 * would be malformed anywhere). A job whose setting this worker cannot build — its data differ from
 * the coordinator's (the dataset fingerprint in the settings key), or are missing — fails its
 * attempt with that reason, and this worker takes no more of that run's jobs: another may serve them.
 * Epochs go back as job progress; a verdict (prune, or cancel when the run ends) comes on the run's
 * verdict channel, and is looked up after every epoch too, for one that was missed.
 */
import { hostname } from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { redisUrlForDisplay } from '../../shared/redis-url';
import { parseWith, queuedEvaluationSchema, queuedResultSchema, queuedVerdictSchema, WorkerMessageError, type QueuedProgress, type QueuedResult, type QueuedVerdict } from '../../shared/worker-messages';
import { CandidateCancelled, type EvaluationJob } from '../evaluators/types';
import { encodeModelMessage } from '../model/artifact';
import { errorMessage } from '../run/error-message';
import { EvaluatorPools } from './evaluator-pools';
import type { ProcessPool } from './process-pool';
import { LEFTOVER_TTL_S, LIVE_RUN_MS, modelsKey, QUEUE_PREFIX, queueOfVerdicts, redisOptions, RUN_REGISTRY_KEY, runOfQueue, runQueueName, verdictsKey } from './redis-queue';
import type { WorkerSpawner } from './worker-entry';

/** How often a job may lose its worker (killed, or stalled past its lock) and still run again. */
export const MAX_STALLS = 2;

export interface QueueWorkerOptions {
  url: string;
  /** Candidates evaluated at once, each in its own process. */
  concurrency: number;
  /** Serve only this run. */
  runId?: string;
  /** How long a job's lock lasts unrenewed: a worker silent this long has lost its job. Default 30 s (BullMQ's). */
  lockDurationMs?: number;
  /** How often workers look for jobs whose lock expired. Default 30 s (BullMQ's). */
  stalledIntervalMs?: number;
  /** How often the live runs are looked up. Default 2 s. */
  discoverMs?: number;
  /** Shown to coordinators as who evaluated a candidate. Default host:pid. */
  name?: string;
  log?: (line: string) => void;
  spawn?: WorkerSpawner;
}

export class QueueWorkerError extends Error {
  override name = 'QueueWorkerError';
}

type QueuedVerdictParsed = Readonly<QueuedVerdict>;

interface Running {
  job: EvaluationJob;
  pool: ProcessPool;
  abort: AbortController;
  pruned: boolean;
}

export class QueueWorker {
  readonly name: string;
  /** The Redis URL without its password. */
  readonly where: string;
  private readonly log: (line: string) => void;
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly pools: EvaluatorPools;
  /** BullMQ workers by queue. */
  private readonly served = new Map<string, Worker>();
  /** Runs this worker cannot evaluate for, with why. */
  private readonly refused = new Map<string, string>();
  private readonly running = new Map<string, Running>();
  private timer?: NodeJS.Timeout;
  private closing?: Promise<void>;
  private readonly warned = new Map<string, number>();
  private started = false;
  private lastError?: string;

  /** Connects and starts serving; rejects with a QueueWorkerError naming the URL (without its password). */
  static async start(options: QueueWorkerOptions): Promise<QueueWorker> {
    const worker = new QueueWorker(options);
    try {
      await worker.connect();
    } catch (error) {
      await worker.close();
      // ioredis rejects with "Connection is closed": the reason is the error it emitted.
      throw new QueueWorkerError(`cannot reach Redis at ${worker.where}: ${worker.lastError ?? (error as Error).message}`);
    }
    return worker;
  }

  private constructor(private readonly options: QueueWorkerOptions) {
    this.name = options.name ?? `${hostname()}:${process.pid}`;
    this.where = redisUrlForDisplay(options.url);
    this.log = options.log ?? ((line) => console.log(line));
    const connection = { ...redisOptions(options.url), lazyConnect: true, maxRetriesPerRequest: null };
    this.redis = new Redis(connection);
    this.subscriber = new Redis(connection);
    for (const client of [this.redis, this.subscriber]) {
      client.on('error', (error: Error) => {
        this.lastError = error.message;
        if (this.started) this.warn(`Redis at ${this.where}: ${error.message}`);
      });
    }
    this.pools = new EvaluatorPools(options.concurrency, options.spawn, (line) => this.log(line));
  }

  /** The runs being served, by id. */
  get runs(): string[] {
    return [...this.served.keys()].map((queue) => runOfQueue(queue)!);
  }

  /** Stops taking jobs, lets the candidates in evaluation finish, and ends the evaluation processes. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.timer);
      await Promise.allSettled([...this.served.values()].map((worker) => worker.close()));
      this.served.clear();
      await this.pools.close();
      this.subscriber.disconnect();
      this.redis.disconnect();
    })();
    return this.closing;
  }

  private async connect(): Promise<void> {
    await this.redis.connect();
    await this.subscriber.connect();
    this.subscriber.on('pmessage', (_pattern: string, channel: string, text: string) => this.onVerdict(queueOfVerdicts(channel), text));
    await this.subscriber.psubscribe(verdictsKey('*'));
    await this.discover();
    this.started = true;
    this.timer = setInterval(() => void this.discover().catch((error: unknown) => this.warn(`could not look up the live runs: ${errorMessage(error)}`)), this.options.discoverMs ?? 2000);
  }

  /** Serves the live runs' queues (or the given run's), and stops serving the others. */
  private async discover(): Promise<void> {
    const { runId } = this.options;
    const live = runId ? [runQueueName(runId)] : await this.redis.zrangebyscore(RUN_REGISTRY_KEY, Date.now() - LIVE_RUN_MS, '+inf');
    if (this.closing) return;
    for (const queue of live) {
      if (!this.served.has(queue) && !this.refused.has(queue) && runOfQueue(queue)) this.serve(queue);
    }
    for (const [queue, worker] of this.served) {
      if (live.includes(queue)) continue;
      this.served.delete(queue);
      this.log(`run ${runOfQueue(queue)} ended or its coordinator is gone: no more of its jobs`);
      void worker.close();
    }
  }

  private serve(queue: string): void {
    const worker = new Worker(queue, (job: Job) => this.process(queue, job), {
      connection: redisOptions(this.options.url),
      prefix: QUEUE_PREFIX,
      concurrency: this.options.concurrency,
      lockDuration: this.options.lockDurationMs ?? 30_000,
      stalledInterval: this.options.stalledIntervalMs ?? 30_000,
      maxStalledCount: MAX_STALLS,
      name: this.name,
    });
    worker.on('error', (error: Error) => this.warn(`run ${runOfQueue(queue)}: ${error.message}`));
    this.served.set(queue, worker);
    this.log(`serving run ${runOfQueue(queue)}`);
  }

  /** One job: parse it, find its evaluation pool, evaluate, and return the result (its weights stored apart). */
  private async process(queue: string, bullJob: Job): Promise<QueuedResult> {
    const run = runOfQueue(queue)!;
    let data;
    try {
      data = parseWith(queuedEvaluationSchema, bullJob.data, `the coordinator of run ${run} (job ${bullJob.id})`);
      if (data.run !== run) throw new WorkerMessageError(`job ${bullJob.id} on run ${run}'s queue says it is for run ${data.run}`);
    } catch (error) {
      this.log(`refused a malformed job: ${errorMessage(error)}`);
      throw new UnrecoverableError(errorMessage(error));
    }
    let pool: ProcessPool;
    try {
      pool = await this.pools.get(data.evaluator, data.backend);
    } catch (error) {
      const reason = `worker ${this.name} cannot evaluate run ${run}'s candidates: ${errorMessage(error)}`;
      this.refuse(queue, reason);
      throw new Error(reason);
    }
    const release = await this.pools.slot();
    const { job } = data;
    const key = `${queue}#${job.index}`;
    const running: Running = { job, pool, abort: new AbortController(), pruned: false };
    this.running.set(key, running);
    const started = performance.now();
    try {
      // A verdict given while an earlier attempt ran stands.
      void this.lookUpVerdict(queue, running);
      const outcome = await pool.evaluate(job, {
        signal: running.abort.signal,
        onEpoch: (metrics) => {
          const progress: QueuedProgress = { type: 'epoch', index: job.index, metrics };
          bullJob.updateProgress(progress).catch((error: unknown) => this.warn(`run ${run}: could not report an epoch: ${errorMessage(error)}`));
          void this.lookUpVerdict(queue, running);
        },
      });
      const { model, ...rest } = outcome;
      if (model) {
        const models = modelsKey(queue);
        await this.redis.multi().hset(models, String(job.index), JSON.stringify(encodeModelMessage(model))).expire(models, LEFTOVER_TTL_S).exec();
      }
      // Checked before it leaves, as the coordinator will check it.
      const result = parseWith(queuedResultSchema, { type: 'outcome', index: job.index, outcome: rest, model: Boolean(model), worker: this.name }, `worker ${this.name}`);
      this.log(`run ${run}: candidate ${job.index} ${outcome.status} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      return result;
    } catch (error) {
      if (error instanceof CandidateCancelled) throw new UnrecoverableError(`candidate ${job.index} was cancelled: its run ended`);
      throw error;
    } finally {
      this.running.delete(key);
      release();
    }
  }

  /** This worker cannot evaluate for the run: it stops taking its jobs (the one at hand fails its attempt). */
  private refuse(queue: string, reason: string): void {
    if (this.refused.has(queue)) return;
    this.refused.set(queue, reason);
    this.log(`${reason}: this worker takes no more of its jobs`);
    const worker = this.served.get(queue);
    this.served.delete(queue);
    void worker?.close();
  }

  private async lookUpVerdict(queue: string, running: Running): Promise<void> {
    const text = await this.redis.hget(verdictsKey(queue), String(running.job.index)).catch(() => null);
    const verdict = text === null ? undefined : this.parseVerdict(queue, text);
    if (verdict?.index === running.job.index) this.apply(running, verdict);
  }

  private onVerdict(queue: string, text: string): void {
    const verdict = this.parseVerdict(queue, text);
    const running = verdict && this.running.get(`${queue}#${verdict.index}`);
    if (running) this.apply(running, verdict);
  }

  private parseVerdict(queue: string, text: string): QueuedVerdictParsed | undefined {
    try {
      return parseWith(queuedVerdictSchema, JSON.parse(text) as unknown, `the coordinator of run ${runOfQueue(queue)}`);
    } catch (error) {
      this.warn(`ignored a verdict: ${errorMessage(error)}`);
      return undefined;
    }
  }

  private apply(running: Running, verdict: QueuedVerdictParsed): void {
    if (verdict.type === 'cancel') running.abort.abort();
    else if (!running.pruned) {
      running.pruned = true;
      running.pool.prune(running.job);
    }
  }

  /** Logs a problem, the same one at most every 10 s (a lost connection repeats itself). */
  private warn(line: string): void {
    const now = Date.now();
    if ((this.warned.get(line) ?? 0) > now - 10_000) return;
    this.warned.set(line, now);
    this.log(`warning: ${line}`);
  }
}
