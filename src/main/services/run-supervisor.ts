/**
 * Runs searches in engine processes and keeps the history store true to them. Every message from
 * an engine is validated, persisted (one transaction per event), then fanned out to subscribers
 * (the CLI's progress, the UI). If an engine dies the run is marked interrupted with the reason;
 * nothing already recorded is lost, and `resume` continues from the last checkpoint.
 */
import { randomUUID } from 'node:crypto';
import { decodeModelMessage } from '../../engine/model/artifact';
import type { RunUpdate } from '../../shared/api';
import { parseEngineToMain, type EngineToMain, type MainToEngine, type MainToEngineParsed } from '../../shared/engine-messages';
import { resumeCanHelp, withoutStackTrace } from '../../shared/history';
import { runFinishedReason } from '../../shared/events';
import { ACTIVE_STATUSES, RESUMABLE_STATUSES, type RunConfig, type RunStatus } from '../../shared/run-config';
import type { HistoryStore } from '../db/history-store';
import { STOP_TIMEOUT_MS, stopEngine, type EngineChild, type EngineSpawner } from './engine-child';
import { Subscribers } from './subscribers';

export interface RunSupervisorOptions {
  /** Where rejected messages and other problems with no caller go. */
  log?: (message: string) => void;
  /** Where the stack traces of the engine's unexpected errors go (never the history, nor the user). Default: the log, with GENNERATOR_DEBUG set; nowhere otherwise. */
  debug?: (message: string) => void;
  /** How often active runs prove they are alive (other processes use it to find orphans). */
  heartbeatMs?: number;
  /** How long a stop waits for the engine to exit before killing it. */
  stopTimeoutMs?: number;
}

export class RunSupervisorError extends Error {
  override name = 'RunSupervisorError';
}

/** What starts an engine on a run: its config as parsed where it came in. */
type StartMessage = Extract<MainToEngineParsed, { type: 'start' }>;

interface ActiveRun {
  child: EngineChild;
  done: Promise<RunStatus>;
  stopRequested: boolean;
  finishedStatus?: RunStatus;
  lastError?: { message: string; during?: 'setup' | 'search' };
}

export class RunSupervisor {
  private readonly active = new Map<string, ActiveRun>();
  private readonly subscribers = new Subscribers<RunUpdate>('run', (message) => this.log(message));
  private readonly log: (message: string) => void;
  private readonly debug: (message: string) => void;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly stopTimeoutMs: number;

  constructor(
    private readonly store: HistoryStore,
    private readonly spawn: EngineSpawner,
    options: RunSupervisorOptions = {},
  ) {
    this.log = options.log ?? ((message) => console.error(`[supervisor] ${message}`));
    this.debug = options.debug ?? (process.env.GENNERATOR_DEBUG ? this.log : () => undefined);
    this.stopTimeoutMs = options.stopTimeoutMs ?? STOP_TIMEOUT_MS;
    this.heartbeat = setInterval(() => {
      for (const runId of this.active.keys()) this.store.heartbeat(runId);
    }, options.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
  }

  /** Marks runs left active by a process that is gone as interrupted (no zombie rows). */
  recover(): string[] {
    return this.store.markOrphanedRuns(isProcessAlive);
  }

  subscribe(listener: (update: RunUpdate) => void): () => void {
    return this.subscribers.subscribe(listener);
  }

  activeRuns(): string[] {
    return [...this.active.keys()];
  }

  /**
   * Starts a new run; returns its id at once (the engine starts in the background). The config was
   * parsed where it came in (the API, the CLI's options), which refused a bad one before any run was recorded.
   */
  start(config: RunConfig): string {
    const controller = this.controllerOf(config);
    const runId = randomUUID();
    this.store.createRun({ id: runId, config, ownerPid: process.pid });
    this.launch(runId, { type: 'start', runId, config, budget: config.budget, ...controller });
    return runId;
  }

  /**
   * The checkpoint of the controller a run trains its candidates under (config.controller), read from
   * the history as it is now: refused when there is no such controller or it has not learned yet.
   */
  private controllerOf(config: RunConfig): { controller?: StartMessage['controller'] } {
    if (config.controller === undefined) return {};
    const saved = this.store.controllerCheckpoint(config.controller);
    if (!saved) throw new RunSupervisorError(`there is no controller named "${config.controller}" in the history`);
    if (saved.checkpoint === null) throw new RunSupervisorError(`controller "${config.controller}" has not finished a learning episode yet: there is nothing to steer with`);
    return { controller: saved.checkpoint as StartMessage['controller'] };
  }

  /**
   * Continues a run: a paused one where it paused; a stopped, interrupted or failed one from its last
   * checkpoint (the candidate that was in flight is trained again); a completed one only with a
   * larger budget ("extend"). `redis`: evaluate its candidates through this Redis from now on.
   */
  resume(runId: string, options: { budget?: number; redis?: NonNullable<RunConfig['redis']> } = {}): void {
    const active = this.active.get(runId);
    if (active) {
      if (options.budget !== undefined) throw new RunSupervisorError(`run ${short(runId)} is still active: stop it before changing its budget`);
      if (options.redis !== undefined) throw new RunSupervisorError(`run ${short(runId)} is still active: stop it before moving it to another Redis`);
      this.send(active, { type: 'resume' });
      return;
    }
    const run = this.store.getRun(runId);
    if (!run) throw new RunSupervisorError(`no run ${runId}`);
    if (!RESUMABLE_STATUSES.includes(run.status)) {
      throw new RunSupervisorError(`run ${short(runId)} is ${run.status}${ACTIVE_STATUSES.includes(run.status) ? ' in another geNNerator process' : ''}: nothing to resume`);
    }
    if (run.status === 'failed' && !resumeCanHelp(run)) {
      throw new RunSupervisorError(`run ${short(runId)} failed while setting up (${run.statusReason ?? 'no reason recorded'}): resuming would fail the same way; start it again with the cause changed`);
    }
    if (run.status === 'completed' && run.evaluations < run.budget) {
      // A run completes short of its candidate budget only when its time budget ran out.
      throw new RunSupervisorError(`run ${short(runId)} used up its time budget of ${run.config.timeBudgetS ?? '?'} s: nothing to resume (start a new run)`);
    }
    const budget = options.budget ?? run.budget;
    if (run.status !== 'completed' && budget === run.budget && run.evaluations >= run.budget) {
      // Every candidate was recorded; only the run's ending was lost when it was interrupted.
      this.finish(runId, 'completed', 'all candidates were evaluated before the run was interrupted');
      return;
    }
    if (budget <= run.evaluations) {
      throw new RunSupervisorError(
        `run ${short(runId)} has evaluated ${run.evaluations} of its budget of ${budget}: ${run.status === 'completed' ? 'extend it with a larger budget' : 'give a larger budget'}`,
      );
    }
    const controller = this.controllerOf(run.config);
    if (options.redis) this.store.setRedis(runId, options.redis);
    const { config, checkpoint } = this.store.prepareResume(runId);
    if (budget !== run.budget) this.store.setBudget(runId, budget);
    this.launch(runId, { type: 'start', runId, config, budget, checkpoint: checkpoint?.state as never, ...controller });
  }

  pause(runId: string): void {
    this.send(this.require(runId), { type: 'pause' });
  }

  /** Stops a run after cancelling the candidate in training; resolves with its final status. */
  stop(runId: string): Promise<RunStatus> {
    return stopEngine(this.require(runId), this.stopTimeoutMs);
  }

  /** Resolves with the run's final status once its engine has exited (at once for an inactive run). */
  whenDone(runId: string): Promise<RunStatus | undefined> {
    return this.active.get(runId)?.done ?? Promise.resolve(this.store.getRun(runId)?.status);
  }

  /** Stops every active run (they stay resumable) and stops the heartbeat: for quitting. */
  async shutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    await Promise.all(this.activeRuns().map((runId) => this.stop(runId)));
  }

  private require(runId: string): ActiveRun {
    const active = this.active.get(runId);
    if (!active) throw new RunSupervisorError(`run ${short(runId)} is not running`);
    return active;
  }

  private send(active: ActiveRun, message: MainToEngine): void {
    active.child.postMessage(message);
  }

  private launch(runId: string, start: StartMessage): void {
    this.store.markRunning(runId, process.pid);
    this.emit({ runId, kind: 'status', status: 'running' });
    let child: EngineChild;
    try {
      child = this.spawn();
    } catch (error) {
      this.finish(runId, 'failed', `could not start the engine process: ${(error as Error).message}`);
      throw error;
    }
    let settle!: (status: RunStatus) => void;
    const active: ActiveRun = { child, stopRequested: false, done: new Promise((resolve) => (settle = resolve)) };
    this.active.set(runId, active);
    child.on('message', (data) => this.onMessage(runId, active, data, start));
    child.on('exit', (code, signal) => {
      this.active.delete(runId);
      settle(this.onExit(runId, active, code, signal ?? null));
    });
  }

  private onMessage(runId: string, active: ActiveRun, data: unknown, start: StartMessage): void {
    let message: EngineToMain;
    try {
      message = parseEngineToMain(data);
    } catch (error) {
      // Never written: an engine that sends garbage is a bug to see in the log, not data.
      this.log(`run ${short(runId)}: rejected a message from the engine: ${(error as Error).message}`);
      return;
    }
    try {
      this.handle(runId, active, message, start);
    } catch (error) {
      this.log(`run ${short(runId)}: could not record ${describe(message)}: ${(error as Error).message}`);
    }
  }

  private handle(runId: string, active: ActiveRun, message: EngineToMain, start: StartMessage): void {
    switch (message.type) {
      case 'ready':
        this.send(active, start);
        return;
      case 'prepared': {
        const { settingsKey, cacheScope } = message;
        this.store.setRunEnvironment(runId, { backend: message.backend.name, device: message.backend.device, settingsKey });
        // The engine says whether it waits for earlier results; answering anything else would hang or confuse it.
        const warm = message.warmStart ? this.store.warmStartResults(runId, settingsKey, start.config) : undefined;
        if (warm) this.store.recordWarmStart(runId, warm.summary);
        if (cacheScope || warm) {
          const entries = cacheScope ? this.store.cachedOutcomes(settingsKey, cacheScope === 'run' ? { runId } : {}) : [];
          this.send(active, { type: 'cache', entries, ...(warm ? { warmStart: warm.results } : {}) });
        }
        this.emit({ runId, kind: 'environment', backend: message.backend, settingsKey, description: message.description, ...(warm ? { warmStart: warm.summary } : {}) });
        return;
      }
      case 'event': {
        const { event, checkpoint, model } = message;
        const weights = model && decodeModelMessage(model);
        this.store.recordEvent(runId, event, { checkpoint, model: weights });
        if (event.type === 'run_finished') active.finishedStatus = event.status === 'completed' ? 'completed' : 'stopped';
        this.emit({ runId, kind: 'event', event });
        if (event.type === 'run_finished') {
          const reason = runFinishedReason(event);
          this.emit({ runId, kind: 'status', status: active.finishedStatus!, ...(reason ? { reason } : {}) });
        }
        return;
      }
      case 'paused': {
        const status = message.paused ? 'paused' : 'running';
        this.store.setRunStatus(runId, status);
        this.emit({ runId, kind: 'status', status });
        return;
      }
      case 'error':
        // Recorded as the run's status reason when the engine exits (and shown there, once); the stack only in the debug log.
        active.lastError = { message: withoutStackTrace(message.message), during: message.during };
        if (message.detail) this.debug(`run ${short(runId)}: ${message.detail}`);
        return;
      case 'backend':
        return;
    }
  }

  private onExit(runId: string, active: ActiveRun, code: number | null, signal: NodeJS.Signals | null): RunStatus {
    if (active.finishedStatus) return active.finishedStatus;
    if (active.stopRequested) {
      this.finish(runId, 'stopped', 'stopped before the engine finished its current candidate');
      return 'stopped';
    }
    if (active.lastError && code !== 0) {
      this.finish(runId, 'failed', active.lastError.message, active.lastError.during);
      return 'failed';
    }
    this.finish(runId, 'interrupted', signal ? `the engine process was killed (${signal})` : `the engine process exited unexpectedly (code ${code})`);
    return 'interrupted';
  }

  private finish(runId: string, status: RunStatus, reason: string, failedDuring?: 'setup' | 'search'): void {
    try {
      this.store.setRunStatus(runId, status, reason, failedDuring);
    } catch (error) {
      this.log(`run ${short(runId)}: could not record status ${status}: ${(error as Error).message}`);
    }
    this.emit({ runId, kind: 'status', status, reason, ...(failedDuring ? { failedDuring } : {}) });
  }

  private emit(update: RunUpdate): void {
    this.subscribers.emit(update);
  }
}

/** Whether a process exists (EPERM: it does, owned by someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function short(runId: string): string {
  return runId.slice(0, 8);
}

function describe(message: EngineToMain): string {
  return message.type === 'event' ? `event ${message.event.type}` : `message ${message.type}`;
}
