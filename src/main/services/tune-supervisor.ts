/**
 * Runs the second mode's jobs in engine processes, as the RunSupervisor runs searches: a controller
 * learning (`tuning.learn`) or a controller steering one network against baseline schedules
 * (`tuning.apply`). Every engine message is validated, written to the history (a learning episode and
 * the controller's checkpoint in one transaction; each finished schedule), then pushed to subscribers
 * as TuneUpdates. An engine that dies leaves what it finished recorded: a controller resumes from its
 * last finished episode. No TensorFlow here: the engine process trains.
 */
import type { EngineToMain, MainToEngine } from '../../shared/engine-messages';
import { parseEngineToMain } from '../../shared/engine-messages';
import { withoutStackTrace } from '../../shared/history';
import type { ControllerSettings, ScheduleName, TuningTask } from '../../shared/tuning';
import { jobLabel, sameJob, type BaselineSchedule, type TuneJob, type TuneStatus, type TuneUpdate } from '../../shared/tuning-api';
import type { HistoryStore } from '../db/history-store';
import { STOP_TIMEOUT_MS, stopEngine, type EngineChild, type EngineSpawner } from './engine-child';
import { Subscribers } from './subscribers';
import { isProcessAlive } from './run-supervisor';

export class TuneSupervisorError extends Error {
  override name = 'TuneSupervisorError';
}

export interface TuneSupervisorOptions {
  log?: (message: string) => void;
  /** How long a stop waits for the engine to exit before killing it. */
  stopTimeoutMs?: number;
}

export interface LearnRequest {
  name: string;
  /** A new controller's tasks and settings (absent when resuming). */
  tasks?: TuningTask[];
  settings?: ControllerSettings;
  resume: boolean;
  /** The episodes to have learned in all (a resumed controller's new total). */
  episodes?: number;
}

export interface ApplyRequest {
  controller: string;
  task: TuningTask;
  baselines: BaselineSchedule[];
  seeds: number[];
  fineTuneEpisodes: number;
}

type StartMessage = Extract<MainToEngine, { type: 'tune_learn' | 'tune_apply' }>;

interface ActiveJob {
  job: TuneJob;
  child: EngineChild;
  done: Promise<TuneStatus>;
  stopRequested: boolean;
  finished?: 'completed' | 'stopped';
  lastError?: string;
}

export class TuneSupervisor {
  private readonly active: ActiveJob[] = [];
  private readonly subscribers = new Subscribers<TuneUpdate>('tune', (message) => this.log(message));
  private readonly log: (message: string) => void;
  private readonly stopTimeoutMs: number;

  constructor(
    private readonly store: HistoryStore,
    private readonly spawn: EngineSpawner,
    options: TuneSupervisorOptions = {},
  ) {
    this.log = options.log ?? ((message) => console.error(`[tune] ${message}`));
    this.stopTimeoutMs = options.stopTimeoutMs ?? STOP_TIMEOUT_MS;
  }

  /** Controllers and sessions left active by a process that is gone become stopped (resumable). */
  recover(): { controllers: string[]; sessions: number[] } {
    return this.store.markOrphanedTuning(isProcessAlive);
  }

  subscribe(listener: (update: TuneUpdate) => void): () => void {
    return this.subscribers.subscribe(listener);
  }

  activeJobs(): TuneJob[] {
    return this.active.map((a) => a.job);
  }

  /** Starts learning a new controller, or continues a stopped one; returns its name at once (the engine starts in the background). */
  learn(request: LearnRequest): string {
    const ownerPid = process.pid;
    let start: StartMessage;
    if (request.resume) {
      if (this.find({ kind: 'learn', controller: request.name })) throw new TuneSupervisorError(`controller "${request.name}" is learning already`);
      const point = this.store.resumeController(request.name, { ownerPid, episodes: request.episodes });
      start = { type: 'tune_learn', controller: request.name, tasks: point.tasks, settings: point.settings, episodesDone: point.episodesDone, ...(point.checkpoint === null ? {} : { checkpoint: point.checkpoint as never }) };
    } else {
      if (!request.tasks?.length || !request.settings) throw new TuneSupervisorError('a new controller needs the networks to learn on and its settings');
      const settings = { ...request.settings, ...(request.episodes === undefined ? {} : { episodes: request.episodes }) };
      this.store.createController({ name: request.name, settings, tasks: request.tasks, ownerPid });
      start = { type: 'tune_learn', controller: request.name, tasks: request.tasks, settings, episodesDone: 0 };
    }
    const name = this.store.getController(request.name)?.name ?? request.name.trim();
    this.launch({ kind: 'learn', controller: name }, { ...start, controller: name });
    return name;
  }

  /** Starts a tuning session: the controller's run, then each baseline, for each seed. Returns its id at once. */
  apply(request: ApplyRequest): number {
    const saved = this.store.controllerCheckpoint(request.controller);
    if (!saved) throw new TuneSupervisorError(`there is no controller named "${request.controller.trim()}" in the history`);
    if (saved.checkpoint === null) throw new TuneSupervisorError(`controller "${request.controller.trim()}" has not finished a learning episode yet: there is nothing to apply`);
    const name = this.store.getController(request.controller)!.name;
    const schedules = request.seeds.flatMap((seed) => (['controller', ...request.baselines] as ScheduleName[]).map((schedule) => ({ schedule, seed })));
    const sessionId = this.store.createTuneSession({ controller: name, task: request.task, schedules, ownerPid: process.pid });
    this.launch(
      { kind: 'apply', sessionId },
      { type: 'tune_apply', sessionId, task: request.task, checkpoint: saved.checkpoint as never, fineTuneEpisodes: request.fineTuneEpisodes, baselines: request.baselines, seeds: request.seeds },
    );
    return sessionId;
  }

  /** Stops a job after the episode in training is cancelled; resolves with its final status. */
  stop(job: TuneJob): Promise<TuneStatus> {
    const active = this.find(job);
    if (!active) throw new TuneSupervisorError(`${jobLabel(job)} is not running here`);
    return stopEngine(active, this.stopTimeoutMs);
  }

  /** Resolves with the job's final status once its engine has exited. */
  whenDone(job: TuneJob): Promise<TuneStatus> | undefined {
    return this.find(job)?.done;
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.activeJobs().map((job) => this.stop(job)));
  }

  private find(job: TuneJob): ActiveJob | undefined {
    return this.active.find((a) => sameJob(a.job, job));
  }

  private launch(job: TuneJob, start: StartMessage): void {
    let child: EngineChild;
    try {
      child = this.spawn();
    } catch (error) {
      this.finish(job, 'failed', `could not start the engine process: ${(error as Error).message}`);
      throw error;
    }
    let settle!: (status: TuneStatus) => void;
    const active: ActiveJob = { job, child, stopRequested: false, done: new Promise((resolve) => (settle = resolve)) };
    this.active.push(active);
    this.emit({ job, kind: 'status', status: job.kind === 'learn' ? 'learning' : 'running' });
    child.on('message', (data) => this.onMessage(active, data, start));
    child.on('exit', (code, signal) => {
      this.active.splice(this.active.indexOf(active), 1);
      settle(this.onExit(active, code, signal ?? null));
    });
  }

  private onMessage(active: ActiveJob, data: unknown, start: StartMessage): void {
    let message: EngineToMain;
    try {
      message = parseEngineToMain(data);
    } catch (error) {
      this.log(`${jobLabel(active.job)}: rejected a message from the engine: ${(error as Error).message}`);
      return;
    }
    try {
      this.handle(active, message, start);
    } catch (error) {
      // A row that cannot be written (e.g. an episode out of order) must not be shown as recorded.
      this.log(`${jobLabel(active.job)}: could not record ${message.type}: ${(error as Error).message}`);
      active.lastError = `could not record ${message.type}: ${(error as Error).message}`;
      active.stopRequested = true;
      active.child.postMessage({ type: 'stop' } satisfies MainToEngine);
    }
  }

  private handle(active: ActiveJob, message: EngineToMain, start: StartMessage): void {
    const { job } = active;
    switch (message.type) {
      case 'ready':
        active.child.postMessage(start);
        return;
      case 'tune_epoch':
        return this.emit({ job, kind: 'epoch', track: message.track, epoch: message.epoch });
      case 'tune_decision':
        return this.emit({ job, kind: 'decision', track: message.track, decision: message.decision });
      case 'tune_episode': {
        if (job.kind !== 'learn') throw new TuneSupervisorError('a learning episode arrived for a tuning session');
        const { episode, task, outcome, checkpoint } = message;
        this.store.recordControllerEpisode(job.controller, { episode, task, outcome, checkpoint });
        const last = outcome.decisions.at(-1);
        const point = {
          episode,
          task,
          return: outcome.return,
          finalValidAccuracy: outcome.finalValidAccuracy,
          interventions: outcome.decisions.filter((d) => d.intervened).length,
          threshold: last?.threshold ?? Number.NaN,
        };
        return this.emit({ job, kind: 'episode', point });
      }
      case 'tune_schedule': {
        if (job.kind !== 'apply') throw new TuneSupervisorError('a schedule arrived for a learning controller');
        this.store.recordTuneSchedule(job.sessionId, { schedule: message.schedule, seed: message.seed, outcome: message.outcome });
        return this.emit({ job, kind: 'schedule', schedule: message.schedule, seed: message.seed, outcome: message.outcome });
      }
      case 'tune_finished':
        active.finished = message.status;
        return;
      case 'error':
        active.lastError = withoutStackTrace(message.message);
        if (message.detail && process.env.GENNERATOR_DEBUG) this.log(`${jobLabel(job)}: ${message.detail}`);
        return;
      default:
        this.log(`${jobLabel(job)}: ignored engine message ${message.type}`);
    }
  }

  private onExit(active: ActiveJob, code: number | null, signal: NodeJS.Signals | null): TuneStatus {
    const { job } = active;
    if (active.finished === 'completed' && !active.lastError) return this.finish(job, job.kind === 'learn' ? 'ready' : 'completed');
    if (active.lastError) return this.finish(job, 'failed', active.lastError);
    if (active.finished === 'stopped' || active.stopRequested) return this.finish(job, 'stopped', 'stopped before the engine finished its current episode');
    return this.finish(job, 'failed', signal ? `the engine process was killed (${signal})` : `the engine process exited unexpectedly (code ${code})`);
  }

  private finish(job: TuneJob, status: TuneStatus, error?: string): TuneStatus {
    try {
      if (job.kind === 'learn') this.store.setControllerStatus(job.controller, status as 'ready' | 'stopped' | 'failed', error);
      else this.store.finishTuneSession(job.sessionId, status as 'completed' | 'stopped' | 'failed', error);
    } catch (e) {
      this.log(`${jobLabel(job)}: could not record status ${status}: ${(e as Error).message}`);
    }
    this.emit({ job, kind: 'status', status, ...(error ? { error } : {}) });
    return status;
  }

  private emit(update: TuneUpdate): void {
    this.subscribers.emit(update);
  }
}
