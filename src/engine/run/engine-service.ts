/**
 * The engine process's side of the engine protocol (src/shared/engine-messages.ts): it runs one
 * search (or one tuning job: tune-service.ts) per process, streams its events with their checkpoints, pauses between candidates, and
 * stops when told. Transport-free: the entry point supplies a port (Electron's parentPort, or the
 * Node IPC channel), so the same code runs in the app, under the CLI and in tests.
 */
import { initBackend } from '../backends';
import { competesForBest, type SearchEvent } from '../../shared/events';
import { parseMainToEngine, type EngineToMain, type MainToEngineParsed } from '../../shared/engine-messages';
import { encodeModelMessage, type ModelArtifact } from '../model/artifact';
import { errorReport } from './error-message';
import { prepareRun, type PreparedRun, type RunSetup } from './prepare-run';
import { runTuneJob } from './tune-service';

export interface EnginePort {
  post(message: EngineToMain): void;
  onMessage(listener: (data: unknown) => void): void;
  /** Resolves once every posted message has left the process. */
  flush(): Promise<void>;
}

export function serveEngine(port: EnginePort, exit: (code: number) => void): void {
  let running = false;
  const abort = new AbortController();
  let paused = false;
  let unpause: (() => void) | undefined;
  let cacheReply: ((reply: Extract<MainToEngineParsed, { type: 'cache' }>) => void) | undefined;

  const finish = async (code: number) => {
    await port.flush();
    exit(code);
  };

  /** Until the search has begun, a failure is the run's setup's: running it again unchanged would fail the same way. */
  let during: 'setup' | 'search' = 'setup';
  const fail = (error: unknown) => {
    port.post(errorReport(error, during));
    void finish(1);
  };

  const beforeAsk = async () => {
    if (!paused || abort.signal.aborted) return;
    port.post({ type: 'paused', paused: true });
    await new Promise<void>((resolve) => {
      unpause = resolve;
      abort.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    port.post({ type: 'paused', paused: false });
  };

  const run = async (setup: RunSetup) => {
    const prepared = await prepareRun(setup);
    const { backend, settingsKey, description, cacheScope, warmStart } = prepared;
    try {
      // prepareRun is the one place that decides which earlier results a run reuses: main answers exactly when asked.
      port.post({ type: 'prepared', backend, settingsKey, description, ...(cacheScope ? { cacheScope } : {}), ...(warmStart ? { warmStart } : {}) });
      if (cacheScope || warmStart) {
        const reply = await new Promise<Extract<MainToEngineParsed, { type: 'cache' }>>((resolve) => (cacheReply = resolve));
        prepared.preload(reply.entries, reply.warmStart);
      }
      // The agent restored from its checkpoint, the search can begin.
      const loop = prepared.start(eventForwarder(prepared, setup), beforeAsk);
      during = 'search';
      await loop.run(abort.signal);
    } finally {
      await prepared.close();
    }
    await finish(0);
  };

  /** Posts each event; a finished candidate also carries its checkpoint and, when kept, its weights. */
  const eventForwarder = (prepared: PreparedRun, setup: RunSetup) => {
    let bestSignal = prepared.bestSignal;
    return (event: SearchEvent, extras?: { checkpoint: unknown; model?: ModelArtifact }) => {
      if (event.type !== 'candidate_finished' || !extras) return port.post({ type: 'event', event });
      const trained = extras.model;
      const keep = trained && (setup.config.keepModels === 'all' || event.signal > bestSignal);
      if (competesForBest(event.status)) bestSignal = Math.max(bestSignal, event.signal);
      port.post({ type: 'event', event, checkpoint: extras.checkpoint as never, model: keep ? encodeModelMessage(trained) : undefined });
    };
  };

  const handle = (message: MainToEngineParsed) => {
    switch (message.type) {
      case 'probe':
        initBackend('auto').then((backend) => port.post({ type: 'backend', backend }), fail);
        return;
      case 'start':
        if (running) throw new Error('this engine process is already running a search');
        running = true;
        run({ runId: message.runId, config: message.config, budget: message.budget, checkpoint: message.checkpoint, controller: message.controller }).catch(fail);
        return;
      case 'tune_learn':
      case 'tune_apply':
        if (running) throw new Error('this engine process is already running a job');
        running = true;
        during = 'search';
        runTuneJob(message, (m) => port.post(m), abort.signal).then((status) => {
          port.post({ type: 'tune_finished', status });
          return finish(0);
        }, fail);
        return;
      case 'cache':
        if (!cacheReply) throw new Error('cache entries arrived before the engine asked for them');
        cacheReply(message);
        cacheReply = undefined;
        return;
      case 'pause':
        paused = true;
        return;
      case 'resume':
        paused = false;
        unpause?.();
        unpause = undefined;
        return;
      case 'stop':
        abort.abort();
        if (!running) void finish(0);
        return;
      case 'shutdown':
        abort.abort();
        void finish(0);
        return;
    }
  };

  port.onMessage((data) => {
    try {
      handle(parseMainToEngine(data));
    } catch (error) {
      // A bad message is main's bug, not the run's: report it and carry on.
      port.post(errorReport(error));
    }
  });
  port.post({ type: 'ready' });
}
