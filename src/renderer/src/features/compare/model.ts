/** The compare view's pure logic: aligning several runs' series on one candidate-index axis. */
import type { RunSeries } from '../../../../shared/history';

export interface AlignedSeries {
  /** Candidate indices, ascending, the union over the runs. */
  x: number[];
  /** One array per run (in the order given), as long as x; null where that run has no value. */
  values: Array<Array<number | null>>;
}

/**
 * Puts each run's values on the shared x axis. `carry` fills a run's gaps between its first and
 * last point with the previous value (right for best-so-far, which is defined at every index once
 * it starts; failed candidates have no point). Past a run's last point its values are null.
 */
export function alignSeries(runs: readonly RunSeries[], pick: 'bestSoFar' | 'reward' | 'signal', options: { carry?: boolean } = {}): AlignedSeries {
  const indices = new Set<number>();
  for (const run of runs) for (const point of run.series) indices.add(point.index);
  const x = [...indices].sort((a, b) => a - b);
  const position = new Map(x.map((index, i) => [index, i]));
  const values = runs.map((run) => {
    const row: Array<number | null> = new Array<number | null>(x.length).fill(null);
    for (const point of run.series) {
      const value = point[pick];
      if (value !== null && Number.isFinite(value)) row[position.get(point.index)!] = value;
    }
    if (options.carry && run.series.length > 0) {
      const last = position.get(Math.max(...run.series.map((p) => p.index)))!;
      let previous: number | null = null;
      for (let i = 0; i <= last; i++) {
        if (row[i] === null) row[i] = previous;
        else previous = row[i];
      }
    }
    return row;
  });
  return { x, values };
}

/** Colours for runs in a comparison, in order (repeats after ten). */
export const RUN_COLORS = ['#2f6fed', '#d64545', '#1b9e5a', '#c98a00', '#8e44ad', '#16a2b8', '#e67e22', '#7f8c8d', '#c0392b', '#27ae60'];

export function runColor(position: number): string {
  return RUN_COLORS[position % RUN_COLORS.length];
}

/** Adds or removes a run id, keeping the order in which runs were added; at most `max`. */
export function toggleId(ids: readonly string[], id: string, max = 20): string[] {
  if (ids.includes(id)) return ids.filter((x) => x !== id);
  if (ids.length >= max) return [...ids];
  return [...ids, id];
}
