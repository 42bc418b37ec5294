/**
 * The Tune view's state: the controllers and tuning sessions of the history, the one opened (or a
 * form), and the live points of the training in progress, folded in from main's TuneUpdates. Finished
 * episodes and schedules come from the history; only the training under way lives here.
 * Everything is prefixed `tune` so it cannot collide with the other slices.
 */
import type { ApiParams } from '../../../../shared/api';
import type { ControllerSummary, TuneSessionSummary } from '../../../../shared/tuning';
import { sameJob, type TuneJob, type TuneTrack, type TuneUpdate } from '../../../../shared/tuning-api';
import { api, errorText } from '../../api';
import type { Slice } from '../../store/slice';
import type { TrainingTrace } from './model';

export type TuneSelection = { kind: 'controller'; name: string } | { kind: 'session'; id: number } | { kind: 'apply'; controller?: string } | { kind: 'learn' } | null;

export interface LiveTrack extends TrainingTrace {
  track: TuneTrack;
}

export interface TuneSlice {
  tuneControllers: ControllerSummary[];
  tuneSessions: TuneSessionSummary[];
  tuneLoaded: boolean;
  tuneError: string | null;
  tuneSelection: TuneSelection;
  tuneController: ControllerSummary | null;
  tuneSession: TuneSessionSummary | null;
  /** The live trainings of the opened job, by trackKey, the latest last. */
  tuneLive: LiveTrack[];
  tuneBusy: boolean;

  tuneLoad(): Promise<void>;
  tuneSelect(selection: TuneSelection): Promise<void>;
  tuneReloadDetail(): Promise<void>;
  tuneLearn(params: ApiParams<'tuning.learn'>): Promise<boolean>;
  tuneApply(params: ApiParams<'tuning.apply'>): Promise<boolean>;
  tuneStop(job: TuneJob): Promise<void>;
  /** Folds a pushed update into the opened job; returns whether the lists should be read again. */
  tuneOnUpdate(update: TuneUpdate): boolean;
  tuneClearError(): void;
}

export function trackKey(track: TuneTrack): string {
  return `${track.schedule}/${track.seed}/${track.episode ?? ''}`;
}

/** The job the opened controller or session stands for. */
export function selectedJob(selection: TuneSelection): TuneJob | null {
  if (selection?.kind === 'controller') return { kind: 'learn', controller: selection.name };
  if (selection?.kind === 'session') return { kind: 'apply', sessionId: selection.id };
  return null;
}

export const createTuneSlice: Slice<TuneSlice> = (set, get) => {
  let listToken = 0;
  let detailToken = 0;
  const fail = (error: unknown) => set({ tuneError: errorText(error) });
  /** Starts a learn or an apply (one at a time), then lists it and opens it; false when it was refused. */
  const startJob = async (start: () => Promise<TuneSelection>): Promise<boolean> => {
    if (get().tuneBusy) return false;
    set({ tuneBusy: true, tuneError: null });
    try {
      const opened = await start();
      await get().tuneLoad();
      await get().tuneSelect(opened);
      return true;
    } catch (error) {
      fail(error);
      return false;
    } finally {
      set({ tuneBusy: false });
    }
  };

  return {
    tuneControllers: [],
    tuneSessions: [],
    tuneLoaded: false,
    tuneError: null,
    tuneSelection: null,
    tuneController: null,
    tuneSession: null,
    tuneLive: [],
    tuneBusy: false,

    tuneLoad: async () => {
      const token = ++listToken;
      try {
        const [controllers, sessions] = await Promise.all([api.call('tuning.controllers', {}), api.call('tuning.sessions', {})]);
        if (token !== listToken) return;
        set({ tuneControllers: controllers, tuneSessions: sessions, tuneLoaded: true });
      } catch (error) {
        fail(error);
      }
    },

    tuneSelect: async (selection) => {
      const before = get().tuneSelection;
      const same = JSON.stringify(before) === JSON.stringify(selection);
      set({ tuneSelection: selection, ...(same ? {} : { tuneController: null, tuneSession: null, tuneLive: [] }) });
      await get().tuneReloadDetail();
    },

    tuneReloadDetail: async () => {
      const selection = get().tuneSelection;
      const token = ++detailToken;
      try {
        if (selection?.kind === 'controller') {
          const [controller, sessions] = await Promise.all([api.call('tuning.controller', { name: selection.name }), api.call('tuning.sessions', { controller: selection.name })]);
          if (token !== detailToken) return;
          set({ tuneController: controller, ...(controller ? { tuneSessions: mergeSessions(get().tuneSessions, sessions) } : {}) });
          // Keep the list's row in step with what the detail says.
          if (controller) set({ tuneControllers: get().tuneControllers.map((c) => (c.name === controller.name ? controller : c)) });
          // Episodes now recorded need no live points.
          const done = controller?.episodesDone ?? 0;
          set({ tuneLive: get().tuneLive.filter((t) => (t.track.episode ?? Infinity) > done) });
        } else if (selection?.kind === 'session') {
          const session = await api.call('tuning.session', { id: selection.id });
          if (token !== detailToken) return;
          set({ tuneSession: session });
          if (session) set({ tuneSessions: mergeSessions(get().tuneSessions, [session]) });
          const finished = new Set(session?.schedules.filter((s) => s.outcome).map((s) => `${s.schedule}/${s.seed}/`));
          set({ tuneLive: get().tuneLive.filter((t) => !finished.has(trackKey(t.track))) });
        }
      } catch (error) {
        fail(error);
      }
    },

    tuneLearn: (params) => startJob(async () => ({ kind: 'controller', name: (await api.call('tuning.learn', params)).controller })),

    tuneApply: (params) => startJob(async () => ({ kind: 'session', id: (await api.call('tuning.apply', params)).sessionId })),

    tuneStop: async (job) => {
      try {
        await api.call('tuning.stop', { job });
        await get().tuneReloadDetail();
        await get().tuneLoad();
      } catch (error) {
        fail(error);
      }
    },

    tuneOnUpdate: (update) => {
      const job = selectedJob(get().tuneSelection);
      const mine = job !== null && sameJob(job, update.job);
      if (update.kind === 'epoch' || update.kind === 'decision') {
        if (!mine) return false;
        const key = trackKey(update.track);
        const live = [...get().tuneLive];
        let index = live.findIndex((t) => trackKey(t.track) === key);
        if (index < 0) index = live.push({ track: update.track, epochs: [], decisions: [] }) - 1;
        const trace = live[index];
        live[index] = update.kind === 'epoch' ? { ...trace, epochs: [...trace.epochs, update.epoch] } : { ...trace, decisions: [...trace.decisions, update.decision] };
        set({ tuneLive: live });
        return false;
      }
      if (mine) void get().tuneReloadDetail();
      return true;
    },

    tuneClearError: () => set({ tuneError: null }),
  };
};

/** The sessions list with one controller's sessions read afresh. */
function mergeSessions(all: TuneSessionSummary[], fresh: TuneSessionSummary[]): TuneSessionSummary[] {
  const byId = new Map(all.map((s) => [s.id, s]));
  for (const s of fresh) byId.set(s.id, s);
  return [...byId.values()].sort((a, b) => b.id - a.id);
}
