/**
 * The renderer API's implementation over the main-process services. Both shells use it: Electron's
 * IPC handlers (src/main/index.ts) and browser mode's WebSocket server (ws-server.ts). Parameters
 * are parsed here, so neither transport can skip validation.
 */
import { join } from 'node:path';
import { parseApiParams, type ApiMethod, type ApiParsedParams, type ApiResults, type AppInfo } from '../../shared/api';
import type { ActionSet } from '../../shared/action-set';
import type { BackendReport } from '../../shared/backend';
import { DatasetError } from '../../engine/data/types';
import { previewImageFolder } from '../../engine/data/folder/preview';
import { dataDirFix, launchProblems } from '../../engine/run/launch-checks';
import type { HistoryStore } from '../db/history-store';
import { deliverExport, type ArchiveDelivery } from './export-archive';
import { exportTarget } from './exporter';
import type { RunSupervisor } from './run-supervisor';
import { sampledTuneTasks, tuneTasks } from './tune-tasks';
import type { TuneSupervisor } from './tune-supervisor';

export interface ApiContext {
  store: HistoryStore;
  supervisor: RunSupervisor;
  /** Runs the second mode's jobs (learning controllers, tuning sessions); without it those calls are refused. */
  tuner?: TuneSupervisor;
  shell: AppInfo['shell'];
  /** The backend report, probed once in the background (null until it answers). */
  backend: () => BackendReport | null;
  defaultExportDir: string;
  /** The bundled action sets (resources/action-sets), for "Restore defaults". */
  defaultActionSets: readonly ActionSet[];
  /** How the shell hands an exported zip to the user; absent where there is no user to hand it to. */
  deliverArchive?: ArchiveDelivery;
}

/** Each handler takes its method's parameters as API_PARAMS parses them: a schema change that a handler does not follow fails to compile. */
export type ApiHandlers = { [M in ApiMethod]: (params: ApiParsedParams<M>) => ApiResults[M] | Promise<ApiResults[M]> };

export function createApiHandlers(ctx: ApiContext) {
  const { store, supervisor } = ctx;
  const tuner = (): TuneSupervisor => {
    if (!ctx.tuner) throw new Error('this shell cannot train: tuning needs an engine process');
    return ctx.tuner;
  };
  const handlers: ApiHandlers = {
    'app.info': () => ({ backend: ctx.backend(), dbPath: store.path, activeRuns: supervisor.activeRuns(), shell: ctx.shell, defaultExportDir: ctx.defaultExportDir }),
    'actionSets.list': () => store.listActionSets(),
    'actionSets.save': (p) => store.saveActionSet(p),
    'actionSets.delete': (p) => ({ deleted: store.deleteActionSet(p.id) }),
    'actionSets.restoreDefaults': () => ({ restored: store.restoreDefaultActionSets(ctx.defaultActionSets) }),
    'datasets.previewFolder': async (p) => {
      try {
        return { preview: await previewImageFolder(p.dir, p.image, p.samplesPerClass) };
      } catch (error) {
        if (error instanceof DatasetError) return { problem: { message: error.message, fix: dataDirFix('folder') } };
        throw error;
      }
    },
    'runs.start': async (p) => {
      const refused = await launchProblems(p.config);
      return refused.length > 0 ? { refused } : { runId: supervisor.start(p.config) };
    },
    'runs.pause': (p) => (supervisor.pause(p.runId), { ok: true as const }),
    'runs.resume': (p) => (supervisor.resume(p.runId, { budget: p.budget }), { ok: true as const }),
    'runs.stop': async (p) => ({ status: await supervisor.stop(p.runId) }),
    'runs.list': (p) => store.listRuns(p),
    'runs.get': (p) => store.getRun(p.runId) ?? null,
    'runs.rename': (p) => (store.renameRun(p.runId, p.name), { ok: true as const }),
    'runs.delete': (p) => {
      if (supervisor.activeRuns().includes(p.runId)) throw new Error('this run is still running: stop it before deleting it');
      return { deleted: store.deleteRun(p.runId) };
    },
    'runs.candidates': (p) => store.listCandidates(p.runId, p),
    'runs.candidate': (p) => store.getCandidate(p.runId, p.index) ?? null,
    'runs.series': (p) => store.compareSeries(p.runIds),
    'runs.agentUpdates': (p) => store.agentUpdates(p.runId),
    'runs.exportArchive': (p) => {
      if (!ctx.deliverArchive) throw new Error('this shell cannot hand a file to the user: use runs.export with a directory');
      return deliverExport(store, ctx.deliverArchive, p.runId, p.index);
    },
    'runs.analysis': (p) => store.runAnalysis(p.runId),
    'runs.export': (p) => {
      const { index, files } = exportTarget(store, p.runId, p.index, (chosen) => join(p.dir, `${p.runId.slice(0, 8)}-${chosen}`));
      return { runId: p.runId, index, files };
    },
    'tuning.controllers': () => store.listControllers(),
    'tuning.controller': (p) => store.getController(p.name) ?? null,
    'tuning.sessions': (p) => store.listTuneSessions(p.controller === undefined ? {} : { controller: p.controller }),
    'tuning.session': (p) => store.getTuneSession(p.id) ?? null,
    'tuning.learn': async (p) => {
      if (p.resume) return { controller: tuner().learn({ name: p.name, resume: true, episodes: p.episodes }) };
      if ((!p.models && !p.sample) || !p.training || !p.settings) throw new Error('tuning.learn: a new controller needs models (or a sample of an action set), training and settings (or resume: true for one that exists)');
      if (p.models && p.sample) throw new Error('tuning.learn: give models or sample, not both');
      if (store.getController(p.name)) throw new Error(`tuning.learn: a controller named "${p.name}" already exists: resume it, or choose another name`);
      const tasks = p.models ? await tuneTasks(store, p.models, p.training) : await sampledTuneTasks(store, p.sample!, p.training, p.settings.seed);
      return { controller: tuner().learn({ name: p.name, tasks, settings: p.settings, resume: false, episodes: p.episodes }) };
    },
    'tuning.apply': async (p) => {
      if (!store.getController(p.controller)) throw new Error(`tuning.apply: there is no controller named "${p.controller}" in the history`);
      const [task] = await tuneTasks(store, [p.model], p.training);
      return { sessionId: tuner().apply({ controller: p.controller, task, baselines: p.baselines, seeds: p.seeds, fineTuneEpisodes: p.fineTuneEpisodes }) };
    },
    'tuning.stop': async (p) => ({ status: await tuner().stop(p.job) }),
  };

  /** Validates and dispatches one call; errors carry a message meant for the user. */
  return async function call(method: string, params: unknown): Promise<unknown> {
    const parsed = parseApiParams(method, params);
    const handler = handlers[parsed.method] as (params: unknown) => unknown;
    return handler(parsed.params);
  };
}

export type ApiDispatcher = ReturnType<typeof createApiHandlers>;
