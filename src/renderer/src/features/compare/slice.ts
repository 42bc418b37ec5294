/**
 * The compare view's state: which runs are compared (the history view's checkboxes set them),
 * their series and each run's best candidate.
 */
import type { CandidateDetail, RunDetail, RunSeries } from '../../../../shared/history';
import { api, errorText } from '../../api';
import type { Slice } from '../../store/slice';
import { toggleId } from './model';

/** runs.series takes at most this many runs. */
export const MAX_COMPARE = 20;

export interface CompareSlice {
  /** In the order they were added (which fixes each run's colour). */
  compareRunIds: string[];
  compareSeries: RunSeries[];
  compareRuns: Record<string, RunDetail | null>;
  /** Each run's best candidate, null when it has none (yet). */
  compareBest: Record<string, CandidateDetail | null>;
  compareLoading: boolean;
  compareError: string | null;
  toggleCompareRun(runId: string): void;
  setCompareRuns(runIds: string[]): void;
  loadCompare(): Promise<void>;
  /** Keeps a compared run's name in step after a rename in the history. */
  compareRunRenamed(runId: string, name: string | null): void;
}

export const createCompareSlice: Slice<CompareSlice> = (set, get) => {
  let token = 0;
  return {
    compareRunIds: [],
    compareSeries: [],
    compareRuns: {},
    compareBest: {},
    compareLoading: false,
    compareError: null,

    toggleCompareRun: (runId) => set({ compareRunIds: toggleId(get().compareRunIds, runId, MAX_COMPARE) }),
    setCompareRuns: (runIds) => set({ compareRunIds: [...new Set(runIds)].slice(0, MAX_COMPARE) }),

    loadCompare: async () => {
      const ids = get().compareRunIds;
      const mine = ++token;
      if (ids.length === 0) {
        set({ compareSeries: [], compareLoading: false, compareError: null });
        return;
      }
      set({ compareLoading: true });
      try {
        const [series, details] = await Promise.all([api.call('runs.series', { runIds: ids }), Promise.all(ids.map((runId) => api.call('runs.get', { runId })))]);
        const runs: Record<string, RunDetail | null> = {};
        ids.forEach((id, i) => (runs[id] = details[i]));
        // The best candidate: fetched again only when a run's best changed.
        const previous = get().compareBest;
        const best: Record<string, CandidateDetail | null> = {};
        await Promise.all(
          ids.map(async (id) => {
            const bestIndex = runs[id]?.bestIndex ?? null;
            if (bestIndex === null) best[id] = null;
            else if (previous[id]?.index === bestIndex && previous[id]?.runId === id) best[id] = previous[id];
            else best[id] = await api.call('runs.candidate', { runId: id, index: bestIndex });
          }),
        );
        if (mine !== token) return;
        set({ compareSeries: series, compareRuns: runs, compareBest: best, compareLoading: false, compareError: null });
      } catch (error) {
        if (mine === token) set({ compareLoading: false, compareError: errorText(error) });
      }
    },

    compareRunRenamed: (runId, name) => {
      const run = get().compareRuns[runId];
      if (run) set({ compareRuns: { ...get().compareRuns, [runId]: { ...run, name } } });
    },
  };
};
