/** One line (or set of points) of a Chart: plain data, so pure view logic can build it outside React. */
export interface ChartSeries {
  label: string;
  values: Array<number | null>;
  color?: string;
  /** Markers only, no connecting line (e.g. one value per candidate). */
  points?: boolean;
}
