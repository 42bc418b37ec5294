/**
 * The agent's predictor beside the real results: each candidate's estimate and error, and how good
 * the estimates have been so far (the live view's summary). Signals are accuracies in [0, 1];
 * errors are shown in percentage points.
 */

export interface Prediction {
  mean: number;
  std: number;
}

/** A history row's prediction columns as one estimate (null when it had none). */
export function rowPrediction(row: { predictionMean: number | null; predictionStd: number | null }): Prediction | null {
  return row.predictionMean === null ? null : { mean: row.predictionMean, std: row.predictionStd ?? 0 };
}

/** predicted − real: positive when the predictor expected more. Null without both. */
export function predictionError(prediction: Prediction | null | undefined, actual: number | null | undefined): number | null {
  if (!prediction || actual === null || actual === undefined || !Number.isFinite(actual)) return null;
  return prediction.mean - actual;
}

export interface PredictorError {
  /** Candidates with an estimate and a result evaluated to the end. */
  n: number;
  /** Mean |predicted − real|. */
  meanAbsoluteError: number;
  /** Mean predicted − real: positive when the predictor expects too much. */
  bias: number;
  /** Spearman's rank correlation of estimates and results; null below 3 pairs or when either side has no spread. */
  rankCorrelation: number | null;
  /** Share of results within ±1 std of their estimate. */
  withinOneStd: number;
}

/**
 * How the estimates compare with the results, over the candidates that have both (aligned arrays;
 * null where a candidate has no estimate, or no result that counts, e.g. a pruned one). Null when none has.
 */
export function predictorError(predicted: ReadonlyArray<number | null>, std: ReadonlyArray<number | null>, actual: ReadonlyArray<number | null>): PredictorError | null {
  const pairs: Array<{ p: number; s: number; a: number }> = [];
  predicted.forEach((p, i) => {
    const a = actual[i];
    if (p !== null && a !== null && a !== undefined && Number.isFinite(p) && Number.isFinite(a)) pairs.push({ p, s: std[i] ?? 0, a });
  });
  if (pairs.length === 0) return null;
  const mean = (xs: readonly number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
  return {
    n: pairs.length,
    meanAbsoluteError: mean(pairs.map(({ p, a }) => Math.abs(p - a))),
    bias: mean(pairs.map(({ p, a }) => p - a)),
    rankCorrelation: pairs.length < 3 ? null : pearson(ranks(pairs.map((x) => x.p)), ranks(pairs.map((x) => x.a))),
    withinOneStd: pairs.filter(({ p, s, a }) => Math.abs(p - a) <= s).length / pairs.length,
  };
}

/** 1-based ranks, ties sharing their average rank (as Spearman's coefficient wants). */
function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((x, y) => x.v - y.v);
  const rank = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1].v === order[start].v) end++;
    for (let k = start; k <= end; k++) rank[order[k].i] = (start + end) / 2 + 1;
    start = end + 1;
  }
  return rank;
}

function pearson(x: readonly number[], y: readonly number[]): number | null {
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  x.forEach((xi, i) => {
    sxy += (xi - mx) * (y[i] - my);
    sxx += (xi - mx) ** 2;
    syy += (y[i] - my) ** 2;
  });
  return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
}

/** "84.1% ± 1.2" (the std in percentage points); '–' without an estimate. */
export function formatPrediction(prediction: Prediction | null | undefined, digits = 1): string {
  if (!prediction) return '–';
  return `${(prediction.mean * 100).toFixed(digits)}% ± ${(prediction.std * 100).toFixed(digits)}`;
}

/** A difference of accuracies in percentage points: "+0.9 pp", "−1.2 pp" (unsigned: "0.9 pp"); '–' for none. */
export function formatPoints(difference: number | null | undefined, { signed = true, digits = 1 } = {}): string {
  if (difference === null || difference === undefined || !Number.isFinite(difference)) return '–';
  const points = Math.abs(difference * 100).toFixed(digits);
  return `${signed ? (difference < 0 ? '−' : '+') : ''}${points} pp`;
}
