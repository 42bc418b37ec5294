/**
 * The analysis views' state for the open run: its finished candidates and agent updates, the tab
 * shown, and the parallel coordinates' brushes with the candidates they keep (which the candidates
 * table then lists alone).
 */
import type { AgentUpdateRow, AnalysisCandidate } from '../../../../shared/history';
import { api, errorText } from '../../api';
import type { Slice } from '../../store/slice';
import { choiceSlots, type ChoiceSlots } from './choices';
import { brushedIndices, parallelData, type Brushes, type ParallelData } from './parallel';

export const ANALYSIS_TABS = ['pareto', 'parallel', 'choices', 'agent'] as const;
export type AnalysisTab = (typeof ANALYSIS_TABS)[number];

export interface AnalysisSlice {
  analysisRunId: string | null;
  analysisCandidates: AnalysisCandidate[];
  analysisUpdates: AgentUpdateRow[];
  analysisSlots: ChoiceSlots | null;
  analysisParallel: ParallelData | null;
  analysisLoading: boolean;
  analysisError: string | null;
  analysisTab: AnalysisTab;
  brushes: Brushes;
  /** The candidates every brush keeps; null without brushes (the table lists every candidate). */
  brushedIndices: number[] | null;
  /** Loads (or refreshes) a run's analysis; another run starts without brushes. */
  loadAnalysis(runId: string): Promise<void>;
  setAnalysisTab(tab: AnalysisTab): void;
  /** Sets the brush on one axis, or removes it (null). */
  setBrush(axisKey: string, range: readonly [number, number] | null): void;
  clearBrushes(): void;
}

/** The brushes' selection over the data (null without brushes). */
function keptBy(data: ParallelData | null, brushes: Brushes): number[] | null {
  if (!data || Object.keys(brushes).length === 0) return null;
  return brushedIndices(data, brushes);
}

function sameIndices(a: number[] | null, b: number[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export const createAnalysisSlice: Slice<AnalysisSlice> = (set, get) => {
  let token = 0;
  return {
    analysisRunId: null,
    analysisCandidates: [],
    analysisUpdates: [],
    analysisSlots: null,
    analysisParallel: null,
    analysisLoading: false,
    analysisError: null,
    analysisTab: 'pareto',
    brushes: {},
    brushedIndices: null,

    loadAnalysis: async (runId) => {
      const mine = ++token;
      if (get().analysisRunId !== runId) {
        set({ analysisRunId: runId, analysisCandidates: [], analysisUpdates: [], analysisSlots: null, analysisParallel: null, brushes: {}, brushedIndices: null });
      }
      set({ analysisLoading: true });
      try {
        const [candidates, updates] = await Promise.all([api.call('runs.analysis', { runId }), api.call('runs.agentUpdates', { runId })]);
        if (mine !== token) return;
        const slots = choiceSlots(candidates);
        const parallel = parallelData(candidates, slots);
        // Brushes on axes that are gone (a slot no candidate reaches any more) are dropped.
        const brushes = Object.fromEntries(Object.entries(get().brushes).filter(([key]) => parallel.axes.some((a) => a.key === key)));
        const kept = keptBy(parallel, brushes);
        const previous = get().brushedIndices;
        set({
          analysisCandidates: candidates,
          analysisUpdates: updates,
          analysisSlots: slots,
          analysisParallel: parallel,
          brushes,
          // The same selection keeps its identity, so the table does not start over at each refresh.
          brushedIndices: sameIndices(previous, kept) ? previous : kept,
          analysisLoading: false,
          analysisError: null,
        });
      } catch (error) {
        if (mine === token) set({ analysisLoading: false, analysisError: errorText(error) });
      }
    },

    setAnalysisTab: (tab) => set({ analysisTab: tab }),

    setBrush: (axisKey, range) => {
      const brushes = { ...get().brushes };
      if (range) brushes[axisKey] = range;
      else delete brushes[axisKey];
      set({ brushes, brushedIndices: keptBy(get().analysisParallel, brushes) });
    },

    clearBrushes: () => set({ brushes: {}, brushedIndices: null }),
  };
};
