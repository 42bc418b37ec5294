/**
 * The live view's slice: which run is watched and its live state, the launcher's data, and the
 * run controls. Every pushed RunUpdate comes through onRunUpdate; the watched run's are folded into
 * its state (live-run.ts) and committed to the store at most every FLUSH_MS, so thousands of epoch
 * events cost a handful of renders.
 *
 * Everything is prefixed `live` (except watchRun and onRunUpdate) so it cannot collide with the
 * other features' slices in the one store.
 */
import type { RunUpdate } from '../../../../shared/api';
import type { ActionSetRow, CandidateDetail, RunSummary } from '../../../../shared/history';
import type { LaunchProblem, RunConfig, RunConfigInput } from '../../../../shared/run-config';
import { api, errorText } from '../../api';
import { currentLocation } from '../../lib/location';
import { shortRunId } from '../../lib/runs';
import type { Slice } from '../../store/slice';
import { formFromRun, type LaunchForm } from './launch-form';
import { applyUpdate, emptyLiveRun, fromSnapshot, isActive, type LiveRun } from './live-run';

export interface LiveSlice {
  /** The run being watched, or null. */
  liveRun: LiveRun | null;
  /** A snapshot of a run is loading (the id being loaded). */
  liveLoadingId: string | null;
  /** A failed load or control (pause, resume, stop), in words. */
  liveError: string | null;
  /** Runs this process is executing, latest started last. */
  liveActiveRuns: string[];
  /** Recent runs, for the picker. */
  liveRecentRuns: RunSummary[];
  liveActionSets: ActionSetRow[];
  liveLaunching: boolean;
  /** Why the last start failed, in main's words. */
  liveLaunchError: string | null;
  /** Why main refused the last start (its checks of the dataset and table files), each at its field. */
  liveLaunchRefusals: LaunchProblem[];
  /** A form to open the launcher with ("run again with changes"); the launcher takes it and clears it. */
  liveLaunchDraft: LaunchForm | null;
  /** Show the launcher form (instead of, or above, the watched run). */
  liveShowLauncher: boolean;

  /** Loads action sets and the active and recent runs; watches the latest active run when none is watched. */
  liveInit(): Promise<void>;
  liveLoadActionSets(): Promise<void>;
  liveRefreshRuns(): Promise<void>;
  liveSetShowLauncher(show: boolean): void;
  /** Opens the launcher prefilled with a form (from a run's config: run it again with changes). */
  liveOpenLauncherWith(form: LaunchForm): void;
  liveTakeLaunchDraft(): LaunchForm | null;
  /** Opens the launcher with a run's settings, to change what made it fail and start it again. */
  liveRunAgain(config: RunConfig): void;
  /** Starts a run (runs.start) and watches it; resolves with its id, or null when main refused. */
  liveStart(config: RunConfigInput): Promise<string | null>;
  /** Loads a run's state (runs.get, runs.series, runs.candidates, runs.agentUpdates, the running candidates) and follows its updates. */
  watchRun(runId: string): Promise<void>;
  livePause(): Promise<void>;
  liveResume(): Promise<void>;
  liveStop(): Promise<void>;
  /** Every update main pushes goes through here (the shell subscribes once). */
  onRunUpdate(update: RunUpdate): void;
}

const FLUSH_MS = 150;

export const createLiveSlice: Slice<LiveSlice> = (set, get) => {
  /** The watched run's freshest state, ahead of the store until the next flush. */
  let draft: LiveRun | null = null;
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  /** While a snapshot loads: the updates of that run, to replay on top of it. */
  let loading: { runId: string; buffer: RunUpdate[] } | null = null;
  let watchToken = 0;
  /** runs.start is in flight: do not auto-follow the run it creates (liveStart watches it). */
  let starting = false;
  /** The run the page's address named when it loaded (a reload while watching it). */
  let reloadedRunId = currentLocation().runId;

  const flush = () => {
    flushTimer = null;
    if (draft && draft !== get().liveRun) set({ liveRun: draft });
  };
  const scheduleFlush = () => {
    if (flushTimer === null) flushTimer = setTimeout(flush, FLUSH_MS);
  };
  const dropDraft = () => {
    draft = null;
    if (flushTimer !== null) clearTimeout(flushTimer);
    flushTimer = null;
  };

  const trackActive = (update: RunUpdate) => {
    if (update.kind !== 'status') return;
    const active = get().liveActiveRuns;
    const has = active.includes(update.runId);
    if (isActive(update.status) && !has) set({ liveActiveRuns: [...active, update.runId] });
    if (!isActive(update.status) && has) set({ liveActiveRuns: active.filter((id) => id !== update.runId) });
  };

  const control = async (action: 'runs.pause' | 'runs.resume' | 'runs.stop') => {
    const run = draft ?? get().liveRun;
    if (!run) return;
    set({ liveError: null });
    try {
      if (action === 'runs.stop') {
        const { status } = await api.call('runs.stop', { runId: run.runId });
        // The status update says so too; this covers a run that was not active in this process.
        const current = draft ?? get().liveRun;
        if (current?.runId === run.runId && current.status !== status) {
          draft = { ...current, status, version: current.version + 1 };
          flush();
        }
      } else {
        await api.call(action, { runId: run.runId });
      }
    } catch (error) {
      set({ liveError: errorText(error) });
    }
  };

  return {
    liveRun: null,
    liveLoadingId: null,
    liveError: null,
    liveActiveRuns: [],
    liveRecentRuns: [],
    liveActionSets: [],
    liveLaunching: false,
    liveLaunchError: null,
    liveLaunchRefusals: [],
    liveLaunchDraft: null,
    liveShowLauncher: false,

    liveInit: async () => {
      await Promise.all([get().liveLoadActionSets(), get().liveRefreshRuns()]);
      const { liveRun, liveLoadingId, liveActiveRuns } = get();
      if (liveRun || liveLoadingId) return;
      // After a reload: the run that was being watched (once; later the shell rewrites the hash).
      const watched = reloadedRunId;
      reloadedRunId = undefined;
      if (watched) return get().watchRun(watched);
      const latest = liveActiveRuns[liveActiveRuns.length - 1];
      if (latest) await get().watchRun(latest);
      else set({ liveShowLauncher: true });
    },

    liveLoadActionSets: async () => {
      try {
        set({ liveActionSets: await api.call('actionSets.list', {}) });
      } catch (error) {
        set({ liveLaunchError: `could not load the action sets: ${errorText(error)}` });
      }
    },

    liveRefreshRuns: async () => {
      try {
        const [info, recent] = await Promise.all([api.call('app.info', {}), api.call('runs.list', { limit: 20 })]);
        set({ liveActiveRuns: info.activeRuns, liveRecentRuns: recent });
      } catch (error) {
        set({ liveError: errorText(error) });
      }
    },

    liveSetShowLauncher: (show) => set({ liveShowLauncher: show, liveLaunchError: null, liveLaunchRefusals: [] }),

    liveOpenLauncherWith: (form) => set({ liveLaunchDraft: form, liveShowLauncher: true, liveLaunchError: null, liveLaunchRefusals: [] }),

    liveRunAgain: (config) => {
      get().liveOpenLauncherWith(formFromRun(config, get().liveActionSets));
      get().setView('live');
    },

    liveTakeLaunchDraft: () => {
      const draft = get().liveLaunchDraft;
      if (draft) set({ liveLaunchDraft: null });
      return draft;
    },

    liveStart: async (config) => {
      set({ liveLaunching: true, liveLaunchError: null, liveLaunchRefusals: [] });
      starting = true;
      let runId: string;
      try {
        const started = await api.call('runs.start', { config });
        if ('refused' in started) {
          set({ liveLaunching: false, liveLaunchRefusals: started.refused });
          return null;
        }
        ({ runId } = started);
      } catch (error) {
        set({ liveLaunching: false, liveLaunchError: errorText(error) });
        return null;
      } finally {
        starting = false;
      }
      set({ liveLaunching: false, liveShowLauncher: false });
      if (!get().liveActiveRuns.includes(runId)) set({ liveActiveRuns: [...get().liveActiveRuns, runId] });
      await get().watchRun(runId);
      void get().liveRefreshRuns();
      return runId;
    },

    watchRun: async (runId) => {
      const token = ++watchToken;
      const previous = draft ?? get().liveRun;
      dropDraft();
      loading = { runId, buffer: [] };
      // Until the snapshot arrives: the same run stays as it was; another run shows as just its id.
      set({ liveLoadingId: runId, liveError: null, liveShowLauncher: false, liveRun: previous?.runId === runId ? previous : emptyLiveRun(runId) });
      try {
        const run = await api.call('runs.get', { runId });
        if (!run) throw new Error(`there is no run ${runId}`);
        const [seriesList, top, recent, updates, runningRows] = await Promise.all([
          api.call('runs.series', { runIds: [runId] }),
          api.call('runs.candidates', { runId, sortBy: 'validAcc', order: 'desc', limit: 20 }),
          api.call('runs.candidates', { runId, sortBy: 'index', order: 'desc', limit: 50 }),
          api.call('runs.agentUpdates', { runId }),
          // One per worker (at most 64): each with its epochs, for the in-flight list.
          api.call('runs.candidates', { runId, status: 'running', sortBy: 'index', limit: 64 }),
        ]);
        const latest = recent.rows[0];
        const detail = (index: number | null | undefined): Promise<CandidateDetail | null> =>
          index === null || index === undefined ? Promise.resolve(null) : api.call('runs.candidate', { runId, index });
        const [current, best, ...running] = await Promise.all([
          detail(latest?.index),
          run.bestIndex !== null && run.bestIndex !== latest?.index ? detail(run.bestIndex) : Promise.resolve(null),
          ...runningRows.rows.map((row) => (row.index === latest?.index ? Promise.resolve(null) : detail(row.index))),
        ]);
        if (token !== watchToken) return;
        let state = fromSnapshot({
          run,
          series: seriesList[0]?.series ?? [],
          top: top.rows,
          recent: recent.rows,
          current,
          running: [...running, ...(current?.status === 'running' ? [current] : [])].filter((c): c is CandidateDetail => c !== null),
          best: best ?? (run.bestIndex !== null && run.bestIndex === latest?.index ? current : null),
          updates,
        });
        for (const update of loading?.buffer ?? []) state = applyUpdate(state, update);
        loading = null;
        draft = null;
        set({ liveRun: state, liveLoadingId: null });
      } catch (error) {
        if (token !== watchToken) return;
        loading = null;
        set({ liveLoadingId: null, liveError: `could not load run ${shortRunId(runId)}: ${errorText(error)}` });
      }
    },

    livePause: async () => {
      // Says so at once: the run pauses only after the candidates in flight, which may take minutes.
      const run = draft ?? get().liveRun;
      if (run?.status === 'running' && !run.pausing) {
        draft = { ...run, pausing: true, version: run.version + 1 };
        flush();
      }
      await control('runs.pause');
      const after = draft ?? get().liveRun;
      if (get().liveError && after?.runId === run?.runId && after?.pausing) {
        draft = { ...after, pausing: false, version: after.version + 1 };
        flush();
      }
    },
    liveResume: () => control('runs.resume'),
    liveStop: () => control('runs.stop'),

    onRunUpdate: (update) => {
      trackActive(update);
      if (loading && update.runId === loading.runId) {
        loading.buffer.push(update);
        return;
      }
      const watched = draft ?? get().liveRun;
      if (watched && watched.runId === update.runId) {
        draft = applyUpdate(watched, update);
        // Status changes show at once; events are batched.
        if (update.kind === 'event') scheduleFlush();
        else flush();
        return;
      }
      // Nothing watched: follow a run that starts (e.g. from another window).
      if (!watched && !loading && !starting && update.kind === 'status' && update.status === 'running') {
        void get().watchRun(update.runId);
      }
    },
  };
};
