/**
 * The history view's state: the runs list (filtered and sorted here, in the renderer), the open
 * run with its candidate sort and selected candidate, and the last export. The candidates
 * themselves are paged by the table (CandidatePageCache), not kept in the store.
 */
import type { ExportDelivery, ExportResult } from '../../../../shared/api';
import type { CandidateDetail, CandidateSortKey, RunDetail, RunSummary } from '../../../../shared/history';
import { api, errorText } from '../../api';
import { downloadUrl } from '../../lib/download';
import type { AppState } from '../../store';
import type { Slice } from '../../store/slice';
import { CANDIDATE_DESC_FIRST, nextSort, RUN_DESC_FIRST, type RunFilter, type RunSort, type RunSortKey, type SortOrder } from './model';

export interface CandidateSort {
  key: CandidateSortKey;
  order: SortOrder;
}

export interface HistoryExport {
  /** Which button asked: the run's (its best candidate and history) or the selected candidate's. */
  scope: 'run' | 'candidate';
  /** The candidate exported. */
  index: number;
  /** Files written into a folder on the machine that runs main, or a zip downloaded (browser) or saved (desktop). */
  result: ExportResult | Exclude<ExportDelivery, { kind: 'cancelled' }>;
}

export interface HistorySlice {
  runs: RunSummary[];
  runsLoaded: boolean;
  historyError: string | null;
  runSort: RunSort;
  runFilter: RunFilter;
  selectedRunId: string | null;
  runDetail: RunDetail | null;
  candidateSort: CandidateSort;
  selectedCandidate: number | null;
  candidateDetail: CandidateDetail | null;
  candidateLoading: boolean;
  historyExport: HistoryExport | null;
  /** A long action in flight (export, resume): its button shows it and the others wait. */
  historyBusy: 'export' | 'resume' | null;

  loadRuns(): Promise<void>;
  setRunSort(key: RunSortKey): void;
  setRunFilter(patch: Partial<RunFilter>): void;
  selectRun(runId: string | null): Promise<void>;
  reloadRunDetail(): Promise<void>;
  renameRun(runId: string, name: string): Promise<void>;
  deleteRun(runId: string): Promise<void>;
  /**
   * Exports the open run's best candidate (no index) or one candidate: as a zip on the user's
   * computer (downloaded in the browser, saved through a dialog in the desktop app), or into a folder
   * on the server (app.info's defaultExportDir).
   */
  exportFromHistory(index?: number, to?: 'archive' | 'server'): Promise<void>;
  /** Resumes the open run; a budget extends a completed one. */
  resumeFromHistory(budget?: number): Promise<void>;
  setCandidateSort(key: CandidateSortKey): void;
  selectCandidate(index: number | null): Promise<void>;
  reloadCandidate(): Promise<void>;
  clearHistoryError(): void;
}

/** The live view's entry point, when that slice has it. */
type MaybeLive = AppState & { watchRun?: (runId: string) => unknown };

export function watchLive(state: AppState, runId: string): void {
  void (state as MaybeLive).watchRun?.(runId);
  state.setView('live');
}

export const createHistorySlice: Slice<HistorySlice> = (set, get) => {
  // Answers to a request that a later one superseded are dropped.
  let detailToken = 0;
  let candidateToken = 0;
  let runsToken = 0;

  const fail = (error: unknown) => set({ historyError: errorText(error) });

  const exportDir = async (): Promise<string> => {
    const info = get().info ?? (await api.call('app.info', {}));
    return info.defaultExportDir;
  };

  return {
    runs: [],
    runsLoaded: false,
    historyError: null,
    runSort: { key: 'started', order: 'desc' },
    runFilter: { text: '', status: 'all' },
    selectedRunId: null,
    runDetail: null,
    candidateSort: { key: 'index', order: 'asc' },
    selectedCandidate: null,
    candidateDetail: null,
    candidateLoading: false,
    historyExport: null,
    historyBusy: null,

    loadRuns: async () => {
      const token = ++runsToken;
      try {
        const runs = await api.call('runs.list', { limit: 10_000 });
        if (token !== runsToken) return;
        set({ runs, runsLoaded: true });
        // The open run was deleted elsewhere (another window, the CLI).
        const open = get().selectedRunId;
        if (open && !runs.some((r) => r.id === open)) set({ selectedRunId: null, runDetail: null, selectedCandidate: null, candidateDetail: null });
      } catch (error) {
        fail(error);
      }
    },

    setRunSort: (key) => set({ runSort: nextSort(get().runSort, key, RUN_DESC_FIRST) }),
    setRunFilter: (patch) => set({ runFilter: { ...get().runFilter, ...patch } }),

    selectRun: async (runId) => {
      if (runId === get().selectedRunId) return;
      candidateToken++;
      set({
        selectedRunId: runId,
        runDetail: null,
        selectedCandidate: null,
        candidateDetail: null,
        candidateLoading: false,
        historyExport: null,
        candidateSort: { key: 'index', order: 'asc' },
      });
      if (runId) await get().reloadRunDetail();
    },

    reloadRunDetail: async () => {
      const runId = get().selectedRunId;
      if (!runId) return;
      const token = ++detailToken;
      try {
        const detail = await api.call('runs.get', { runId });
        if (token !== detailToken || get().selectedRunId !== runId) return;
        set({ runDetail: detail });
        // Keep the list's row in step with what the detail says.
        if (detail) set({ runs: get().runs.map((r) => (r.id === runId ? { ...r, ...summaryOf(detail) } : r)) });
      } catch (error) {
        fail(error);
      }
    },

    renameRun: async (runId, name) => {
      try {
        await api.call('runs.rename', { runId, name });
        const trimmed = name.trim() || null;
        set({ runs: get().runs.map((r) => (r.id === runId ? { ...r, name: trimmed } : r)) });
        const detail = get().runDetail;
        if (detail?.id === runId) set({ runDetail: { ...detail, name: trimmed } });
        get().compareRunRenamed(runId, trimmed);
      } catch (error) {
        fail(error);
      }
    },

    deleteRun: async (runId) => {
      try {
        await api.call('runs.delete', { runId });
        set({ runs: get().runs.filter((r) => r.id !== runId) });
        if (get().selectedRunId === runId) await get().selectRun(null);
        if (get().compareRunIds.includes(runId)) get().setCompareRuns(get().compareRunIds.filter((id) => id !== runId));
      } catch (error) {
        fail(error);
      }
    },

    exportFromHistory: async (index, to = 'archive') => {
      const runId = get().selectedRunId;
      if (!runId || get().historyBusy) return;
      set({ historyBusy: 'export', historyExport: null });
      const scope = index === undefined ? 'run' : 'candidate';
      try {
        if (to === 'archive') {
          const delivered = await api.call('runs.exportArchive', { runId, index });
          if (delivered.kind === 'cancelled') return;
          if (delivered.kind === 'download') downloadUrl(delivered.url, delivered.fileName);
          if (get().selectedRunId === runId) set({ historyExport: { scope, index: delivered.index, result: delivered } });
          return;
        }
        const result = await api.call('runs.export', { runId, index, dir: await exportDir() });
        if (get().selectedRunId === runId) set({ historyExport: { scope, index: result.index, result } });
      } catch (error) {
        fail(error);
      } finally {
        set({ historyBusy: null });
      }
    },

    resumeFromHistory: async (budget) => {
      const runId = get().selectedRunId;
      if (!runId || get().historyBusy) return;
      set({ historyBusy: 'resume' });
      try {
        await api.call('runs.resume', budget === undefined ? { runId } : { runId, budget });
        await get().reloadRunDetail();
        void get().loadRuns();
      } catch (error) {
        fail(error);
      } finally {
        set({ historyBusy: null });
      }
    },

    setCandidateSort: (key) => set({ candidateSort: nextSort(get().candidateSort, key, CANDIDATE_DESC_FIRST) }),

    selectCandidate: async (index) => {
      if (index === get().selectedCandidate) return;
      set({ selectedCandidate: index, historyExport: get().historyExport?.scope === 'candidate' ? null : get().historyExport });
      if (index === null) {
        candidateToken++;
        set({ candidateDetail: null, candidateLoading: false });
        return;
      }
      await get().reloadCandidate();
    },

    reloadCandidate: async () => {
      const runId = get().selectedRunId;
      const index = get().selectedCandidate;
      if (!runId || index === null) return;
      const token = ++candidateToken;
      set({ candidateLoading: true });
      try {
        const detail = await api.call('runs.candidate', { runId, index });
        if (token !== candidateToken) return;
        set({ candidateDetail: detail, candidateLoading: false });
      } catch (error) {
        if (token === candidateToken) set({ candidateLoading: false });
        fail(error);
      }
    },

    clearHistoryError: () => set({ historyError: null }),
  };
};

function summaryOf(detail: RunDetail): RunSummary {
  const { config: _config, settingsKey: _settingsKey, seed: _seed, ownerPid: _ownerPid, heartbeatAt: _heartbeatAt, ...summary } = detail;
  return summary;
}
