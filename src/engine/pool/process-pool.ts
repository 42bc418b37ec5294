/**
 * Evaluates candidates in N worker processes on this machine, one candidate per worker at a time.
 * Each worker builds its evaluator once (TensorFlow.js, the data) and then takes jobs; the pool
 * hands a job to whichever worker is free and matches every message back to its job by index.
 *
 * A worker that dies while evaluating (killed, out of memory) is started again and its candidate
 * evaluated again; a candidate that takes its worker down twice is a failed candidate whose error
 * says so, and the run goes on. A worker that dies while starting is started again too, up to
 * three times in a row. A worker that breaks the protocol, says it cannot start, or keeps dying
 * before it is ready fails the pool: every evaluation rejects with an error that names the worker. close() ends every worker; a worker
 * also exits by itself when its coordinator's IPC channel closes (the engine was killed).
 */
import type { ChildProcess } from 'node:child_process';
import type { BackendChoice, BackendReport } from '../../shared/backend';
import { parseWorkerToCoordinator, WorkerMessageError, type CoordinatorToWorker, type EvaluationJobMessage, type WorkerEvaluator, type WorkerToCoordinatorParsed } from '../../shared/worker-messages';
import { CandidateCancelled, type CandidateOutcome, type EvaluationHooks, type EvaluationJob } from '../evaluators/types';
import { decodeModelMessage } from '../model/artifact';
import type { EvaluationPool } from './types';
import { forkEvaluationWorker, type WorkerSpawner } from './worker-entry';

export interface ProcessPoolOptions {
  size: number;
  evaluator: WorkerEvaluator;
  backend?: BackendChoice;
  /** The wasm threads of each worker (the caller splits the CPU). */
  wasmThreads?: number;
  /** How a worker process starts. Default: forkEvaluationWorker. */
  spawn?: WorkerSpawner;
  /** How often a candidate may take its worker down before it counts as failed. Default 2. */
  maxCrashes?: number;
  /** How often in a row a worker may exit before it is ready before the pool fails. Default 3. */
  maxStartFailures?: number;
  /** Where restarts are reported. Default: stderr. */
  log?: (line: string) => void;
}

interface Assignment {
  job: EvaluationJob;
  hooks: EvaluationHooks;
  resolve(outcome: CandidateOutcome): void;
  reject(error: unknown): void;
  /** Workers it took down so far. */
  crashes: number;
  /** The last epoch reported: a candidate evaluated again reports only the epochs after it. */
  lastEpoch: number;
  /** Asked to stop; the worker's answer (or its exit) rejects it. */
  cancelled: boolean;
  /** Stops listening to the caller's abort signal. */
  detach(): void;
}

interface Worker {
  id: number;
  child: ChildProcess;
  ready: boolean;
  alive: boolean;
  assignment?: Assignment;
  exited: Promise<void>;
  /** Settles start(): once this slot has a ready worker, or cannot get one. */
  started: Starting;
  /** Workers of this slot that exited before they were ready, in a row. */
  startFailures: number;
}

interface Starting {
  promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

function starting(): Starting {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

export class ProcessPool implements EvaluationPool {
  readonly size: number;
  /** The backend the first worker reported (none for evaluators that train nothing). */
  backend?: BackendReport;
  private readonly workers = new Map<number, Worker>();
  private readonly queue: Assignment[] = [];
  private failed?: Error;
  private closing = false;
  private readonly maxCrashes: number;
  private readonly maxStartFailures: number;
  private readonly log: (line: string) => void;

  /** Starts the workers and resolves once every one is ready; rejects (with every worker ended) if one cannot start. */
  static async start(options: ProcessPoolOptions): Promise<ProcessPool> {
    const pool = new ProcessPool(options);
    try {
      await Promise.all(Array.from({ length: pool.size }, (_, i) => pool.startWorker(i + 1)));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  private constructor(private readonly options: ProcessPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new RangeError(`a process pool needs at least one worker, got ${options.size}`);
    this.size = options.size;
    this.maxCrashes = options.maxCrashes ?? 2;
    this.maxStartFailures = options.maxStartFailures ?? 3;
    this.log = options.log ?? ((line) => console.error(line));
  }

  /** Why the pool cannot go on (a worker broke the protocol or could not start), once it cannot. */
  get failure(): Error | undefined {
    return this.failed;
  }

  /** Each worker's process id and the candidate it is evaluating. */
  get activity(): Array<{ worker: number; pid?: number; index?: number }> {
    return [...this.workers.values()].map(({ id, child, assignment }) => ({ worker: id, pid: child.pid, index: assignment?.job.index }));
  }

  evaluate(job: EvaluationJob, hooks: EvaluationHooks = {}): Promise<CandidateOutcome> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.closing || hooks.signal?.aborted) return Promise.reject(new CandidateCancelled());
    return new Promise((resolve, reject) => {
      const onAbort = () => this.cancel(assignment);
      const assignment: Assignment = {
        job,
        hooks,
        resolve,
        reject,
        crashes: 0,
        lastEpoch: 0,
        cancelled: false,
        detach: () => hooks.signal?.removeEventListener('abort', onAbort),
      };
      hooks.signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(assignment);
      this.dispatch();
    });
  }

  /**
   * Early stopping's verdict on `job` (the object given to evaluate) when it arrives apart from its
   * epochs, as from a coordinator on another machine: the worker stops it after its current epoch.
   */
  prune(job: EvaluationJob): void {
    const worker = [...this.workers.values()].find((w) => w.assignment?.job === job);
    if (worker) this.send(worker, { type: 'prune', index: job.index });
  }

  async close(): Promise<void> {
    this.closing = true;
    const waiting = [...this.queue.splice(0), ...[...this.workers.values()].flatMap((w) => (w.assignment ? [w.assignment] : []))];
    for (const worker of this.workers.values()) worker.assignment = undefined;
    for (const assignment of waiting) settle(assignment).reject(new CandidateCancelled());
    await Promise.all([...this.workers.values()].map((worker) => stop(worker)));
  }

  /** Starts a worker in slot `id`; resolves once it is ready (a retry after a failed start keeps the first attempt's promise). */
  private startWorker(id: number, started = starting(), startFailures = 0): Promise<void> {
    const child = (this.options.spawn ?? forkEvaluationWorker)(id);
    const exited = new Promise<void>((resolveExit) => {
      child.once('exit', () => resolveExit());
      // A process that could not be spawned at all emits 'error' and may never emit 'exit'.
      child.once('error', () => child.pid === undefined && resolveExit());
    });
    const worker: Worker = { id, child, ready: false, alive: true, exited, started, startFailures };
    this.workers.set(id, worker);
    child.on('message', (data) => this.receive(worker, data));
    child.on('exit', (code, signal) => this.exited(worker, signal ? `signal ${signal}` : `code ${code}`));
    child.on('error', (error) => child.pid === undefined && this.exited(worker, `an error (${error.message})`));
    const { evaluator, backend = 'auto', wasmThreads } = this.options;
    this.send(worker, { type: 'init', worker: id, evaluator, backend, ...(wasmThreads ? { wasmThreads } : {}) });
    return started.promise;
  }

  private send(worker: Worker, message: CoordinatorToWorker): void {
    // A worker gone meanwhile is handled by its exit; the callback keeps a closed channel from throwing.
    if (worker.alive && worker.child.connected) worker.child.send(message, () => undefined);
  }

  private receive(worker: Worker, data: unknown): void {
    // A worker already counted as exited has had its candidate handed on.
    if (!worker.alive || this.closing || this.failed) return;
    let message: WorkerToCoordinatorParsed;
    try {
      message = parseWorkerToCoordinator(data, worker.id);
    } catch (error) {
      return this.fail(error as Error);
    }
    if (message.type === 'ready') {
      if (worker.ready) return this.fail(new WorkerMessageError(`evaluation worker ${worker.id} said it was ready twice`));
      worker.ready = true;
      this.backend ??= message.backend;
      worker.started.resolve();
      return this.dispatch();
    }
    if (message.type === 'failed' && message.index === undefined) {
      const error = new Error(`evaluation worker ${worker.id} ${worker.ready ? 'failed' : 'could not start'}: ${message.message}`);
      worker.started.reject(error);
      return this.fail(error);
    }
    const assignment = worker.assignment;
    if (!assignment || assignment.job.index !== message.index) {
      const doing = assignment ? `candidate ${assignment.job.index}` : 'nothing';
      return this.fail(new WorkerMessageError(`evaluation worker ${worker.id} sent ${message.type} for candidate ${message.index} while evaluating ${doing}`));
    }
    switch (message.type) {
      case 'epoch': {
        if (message.metrics.epoch <= assignment.lastEpoch) return;
        assignment.lastEpoch = message.metrics.epoch;
        if (assignment.hooks.onEpoch?.(message.metrics) === 'prune') this.send(worker, { type: 'prune', index: message.index });
        return;
      }
      case 'outcome': {
        const { model, ...outcome } = message.outcome;
        this.release(worker).resolve({ ...outcome, ...(model ? { model: decodeModelMessage(model) } : {}) });
        return;
      }
      case 'cancelled':
        this.release(worker).reject(new CandidateCancelled());
        return;
      case 'failed':
        this.release(worker).reject(new Error(`evaluation worker ${worker.id} failed on candidate ${message.index}: ${message.message}`));
        return;
    }
  }

  /** The worker's candidate, now settled by the caller; the worker takes the next job. */
  private release(worker: Worker): Pick<Assignment, 'resolve' | 'reject'> {
    const assignment = worker.assignment!;
    worker.assignment = undefined;
    this.dispatch();
    return settle(assignment);
  }

  private exited(worker: Worker, how: string): void {
    if (!worker.alive) return;
    worker.alive = false;
    if (this.closing || this.failed) return;
    if (!worker.ready) {
      // Killed while loading (or crashing as it loads): try again, but not forever.
      const failures = worker.startFailures + 1;
      const reason = `evaluation worker ${worker.id} exited with ${how} before it was ready`;
      if (failures < this.maxStartFailures) {
        this.log(`${reason}: starting it again`);
        this.startWorker(worker.id, worker.started, failures).catch(() => undefined);
        return;
      }
      const error = new Error(failures > 1 ? `${reason} (${failures} times in a row)` : reason);
      worker.started.reject(error);
      return this.fail(error);
    }
    const assignment = worker.assignment;
    worker.assignment = undefined;
    if (assignment?.cancelled) settle(assignment).reject(new CandidateCancelled());
    else if (assignment) {
      assignment.crashes++;
      const { index, hash } = assignment.job;
      const reason = `worker ${worker.id} exited with ${how} while evaluating candidate ${index}`;
      if (assignment.crashes >= this.maxCrashes) {
        this.log(`${reason} (it took ${assignment.crashes} workers down): recording it as failed`);
        settle(assignment).resolve({ status: 'failed', signal: 0, epochs: [], error: `${reason} (it took ${assignment.crashes} workers down)`, hash, cached: false });
      } else {
        this.log(`${reason}: starting the worker again and evaluating the candidate again`);
        this.queue.unshift(assignment);
      }
    } else this.log(`evaluation worker ${worker.id} exited with ${how}: starting it again`);
    // Its failure to start again fails the pool (startWorker's rejection is reported there).
    this.startWorker(worker.id).catch(() => undefined);
  }

  /** The pool cannot go on: every candidate waiting or in evaluation rejects with `error`, and every worker ends. */
  private fail(error: Error): void {
    if (this.failed || this.closing) return;
    this.failed = error;
    const waiting = [...this.queue.splice(0), ...[...this.workers.values()].flatMap((w) => (w.assignment ? [w.assignment] : []))];
    for (const worker of this.workers.values()) worker.assignment = undefined;
    for (const assignment of waiting) settle(assignment).reject(error);
    for (const worker of this.workers.values()) {
      // A worker still starting will never be ready now: start() must not wait for it.
      if (!worker.ready) worker.started.reject(error);
      void stop(worker);
    }
  }

  private dispatch(): void {
    if (this.closing || this.failed) return;
    for (const worker of this.workers.values()) {
      if (this.queue.length === 0) return;
      if (!worker.alive || !worker.ready || worker.assignment) continue;
      const assignment = this.queue.shift()!;
      worker.assignment = assignment;
      this.send(worker, { type: 'evaluate', job: assignment.job as EvaluationJobMessage });
    }
  }

  private cancel(assignment: Assignment): void {
    const queued = this.queue.indexOf(assignment);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      settle(assignment).reject(new CandidateCancelled());
      return;
    }
    const worker = [...this.workers.values()].find((w) => w.assignment === assignment);
    if (!worker) return;
    assignment.cancelled = true;
    this.send(worker, { type: 'cancel', index: assignment.job.index });
  }
}

/** The assignment's promise callbacks, after it stops listening for aborts. */
function settle(assignment: Assignment): Pick<Assignment, 'resolve' | 'reject'> {
  assignment.detach();
  return assignment;
}

/** Ends a worker: politely first, then for sure. */
async function stop(worker: Worker): Promise<void> {
  const { child } = worker;
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    await worker.exited;
    clearTimeout(force);
  }
}
