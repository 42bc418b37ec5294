/**
 * The live view's chart columns: one value per finished candidate (series) and one per agent update
 * (diagnostics), appended in place (see live-run.ts), and the per-candidate charts drawn from them.
 */
import type { ChartSeries } from '../../components/chart-series';
import type { Prediction } from '../../lib/prediction';

/**
 * One value per finished candidate, in index order (append-only). A pruned candidate's reward and
 * signal go to the pruned columns (null in the others, and the other way round), so charts draw
 * them apart; best-so-far counts only candidates evaluated to the end.
 */
export interface SeriesColumns {
  index: number[];
  reward: Array<number | null>;
  signal: Array<number | null>;
  prunedReward: Array<number | null>;
  prunedSignal: Array<number | null>;
  bestSoFar: Array<number | null>;
  /** The predictor's mean and std for the candidate, when it had one (null otherwise). */
  predicted: Array<number | null>;
  predictedStd: Array<number | null>;
}

/** One value per agent update (append-only); a key missing from an update is null there. */
export interface DiagnosticsColumns {
  iteration: number[];
  evaluations: number[];
  values: Record<string, Array<number | null>>;
}

export function emptyColumns(): SeriesColumns {
  return { index: [], reward: [], signal: [], prunedReward: [], prunedSignal: [], bestSoFar: [], predicted: [], predictedStd: [] };
}

/** Pruned candidates' markers in charts: the --warn colour their status has in tables. */
export const PRUNED_COLOR = '#c98a00';
/** The predictor's estimates in charts. */
export const PREDICTED_COLOR = '#e07b39';

/**
 * The per-candidate charts' series over `series.index`. When the run prunes, pruned candidates are
 * drawn apart, as their own points with their own colour and legend entry.
 */
export function candidateChartSeries(series: SeriesColumns, prunes: boolean): { reward: ChartSeries[]; accuracy: ChartSeries[] } {
  const reward: ChartSeries[] = [{ label: 'reward', values: series.reward, color: '#8a4fd3', points: true }];
  const accuracy: ChartSeries[] = [
    { label: 'best so far', values: series.bestSoFar, color: '#1b9e5a' },
    { label: 'validation accuracy', values: series.signal, color: '#9aa2b1', points: true },
  ];
  if (prunes) {
    reward.push({ label: 'reward (pruned)', values: series.prunedReward, color: PRUNED_COLOR, points: true });
    accuracy.push({ label: 'pruned: accuracy when stopped', values: series.prunedSignal, color: PRUNED_COLOR, points: true });
  }
  if (series.predicted.some((v) => v !== null)) accuracy.push({ label: 'predicted', values: series.predicted, color: PREDICTED_COLOR, points: true });
  return { reward, accuracy };
}

/** Appends one finished candidate (with the history's best so far when it came from there). */
export function appendPoint(
  columns: SeriesColumns,
  point: { index: number; reward: number | null; signal: number | null; pruned: boolean; bestSoFar?: number | null; prediction?: Prediction | null },
): void {
  const previousBest = columns.bestSoFar[columns.bestSoFar.length - 1] ?? null;
  const { signal, reward, pruned } = point;
  const best = point.bestSoFar ?? (!pruned && signal !== null && (previousBest === null || signal > previousBest) ? signal : previousBest);
  columns.index.push(point.index);
  columns.reward.push(pruned ? null : reward);
  columns.signal.push(pruned ? null : signal);
  columns.prunedReward.push(pruned ? reward : null);
  columns.prunedSignal.push(pruned ? signal : null);
  columns.bestSoFar.push(best);
  columns.predicted.push(point.prediction?.mean ?? null);
  columns.predictedStd.push(point.prediction?.std ?? null);
}

export function emptyDiagnostics(): DiagnosticsColumns {
  return { iteration: [], evaluations: [], values: {} };
}

/** Appends one agent update unless its iteration is already there. Returns whether it did. */
export function appendDiagnostics(columns: DiagnosticsColumns, iteration: number, evaluations: number, diagnostics: Record<string, number>): boolean {
  const last = columns.iteration[columns.iteration.length - 1];
  if (last !== undefined && iteration <= last) return false;
  const n = columns.iteration.length;
  columns.iteration.push(iteration);
  columns.evaluations.push(evaluations);
  for (const key of Object.keys(diagnostics)) {
    if (!columns.values[key]) columns.values[key] = new Array<number | null>(n).fill(null);
  }
  for (const [key, column] of Object.entries(columns.values)) {
    const value = diagnostics[key];
    column.push(typeof value === 'number' && Number.isFinite(value) ? value : null);
  }
  return true;
}
