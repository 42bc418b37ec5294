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
}
