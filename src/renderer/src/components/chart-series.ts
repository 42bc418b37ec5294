/** One line (or set of points) of a Chart: plain data, so pure view logic can build it outside React. */
export interface ChartSeries {
  label: string;
  values: Array<number | null>;
  color?: string;
  /** Markers only, no connecting line (e.g. one value per candidate). */
  points?: boolean;
  /** Marker size in pixels (points, or a line's markers). */
  pointSize?: number;
  /** A line with markers on every point (a Pareto front). */
  markers?: boolean;
  /** Dashes of the line, e.g. [4, 4] for an interval's bounds. */
  dash?: number[];
  /** A value that holds until the next point (a hyperparameter in force): drawn as steps. */
  stepped?: boolean;
}

/**
 * Exponential moving average with TensorBoard's debiasing: each value is the weighted mean of the
 * values so far, weight^k for the one k steps back, so the first ones are not pulled toward 0.
 * Gaps (null, NaN) stay gaps and do not break the average. weight 0 returns the values as they are.
 */
export function smooth(values: ReadonlyArray<number | null>, weight: number): Array<number | null> {
  if (weight <= 0) return [...values];
  let last = 0;
  let steps = 0;
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return null;
    last = last * weight + (1 - weight) * v;
    steps++;
    return last / (1 - weight ** steps);
  });
}

/** An x axis of time for per-epoch charts: wall-clock seconds of training at the end of each epoch (its own and those before it). */
export function trainingTimeAxis(epochs: ReadonlyArray<{ seconds: number }>): Array<{ label: string; values: number[] }> {
  let sum = 0;
  return [{ label: 'training time (s)', values: epochs.map((e) => Number((sum += Number.isFinite(e.seconds) ? e.seconds : 0).toFixed(3))) }];
}
