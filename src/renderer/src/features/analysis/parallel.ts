/**
 * Parallel coordinates over a run's candidates: one axis per slot (categories), then parameters
 * and validation accuracy (numbers). Every value becomes a position in [0, 1] on its axis (0 at the
 * bottom), so drawing, brushing and filtering work alike on every axis. A brush keeps a range of
 * positions on one axis; with several, a candidate must be in all of them.
 */
import type { AnalysisCandidate } from '../../../../shared/history';
import { formatParams, formatPercent } from '../../lib/format';
import { slotValues, type ChoiceSlots } from './choices';

export type Axis =
  | { key: string; label: string; kind: 'category'; categories: string[] }
  | { key: string; label: string; kind: 'number'; min: number; max: number; log: boolean; format: (value: number) => string };

export interface ParallelRow {
  index: number;
  /** Position on each axis, in the axes' order; null where the candidate has no value. */
  positions: Array<number | null>;
}

export interface ParallelData {
  axes: Axis[];
  rows: ParallelRow[];
}

/** Axis key → the kept range of positions [low, high] on it. */
export type Brushes = Readonly<Record<string, readonly [number, number]>>;

const numberAxis = (key: string, label: string, values: number[], format: (v: number) => string, logWhenWide: boolean): Axis | null => {
  const finite = values.filter((v) => Number.isFinite(v) && (!logWhenWide || v > 0));
  if (finite.length === 0) return null;
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  return { key, label, kind: 'number', min, max, log: logWhenWide && min > 0 && max / min >= 10, format };
};

/** Where a value sits on its axis, in [0, 1]; null when it has none. */
export function axisPosition(axis: Axis, value: string | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (axis.kind === 'category') {
    const at = axis.categories.indexOf(String(value));
    if (at < 0) return null;
    return axis.categories.length === 1 ? 0.5 : at / (axis.categories.length - 1);
  }
  const v = Number(value);
  if (!Number.isFinite(v) || (axis.log && v <= 0)) return null;
  if (axis.max === axis.min) return 0.5;
  return axis.log ? (Math.log(v) - Math.log(axis.min)) / (Math.log(axis.max) - Math.log(axis.min)) : (v - axis.min) / (axis.max - axis.min);
}

/** The axes and every finished candidate's positions on them (failed ones too: they sit at the bottom of accuracy). */
export function parallelData(candidates: readonly AnalysisCandidate[], slots: ChoiceSlots | null): ParallelData {
  const axes: Axis[] = [];
  const values = candidates.map((c) => (slots ? slotValues(c.architecture, slots) : null));
  if (slots) {
    slots.labels.forEach((label, i) => {
      // Only the values some candidate took: an axis of unused choices says nothing.
      const used = new Set(values.map((v) => v?.[i]).filter((v): v is string => v !== undefined));
      const categories = slots.values[i].filter((v) => used.has(v));
      if (categories.length > 0) axes.push({ key: `slot:${i}`, label, kind: 'category', categories });
    });
  }
  const params = numberAxis('params', 'parameters', candidates.map((c) => c.params ?? Number.NaN), formatParams, true);
  if (params) axes.push(params);
  const accuracy = numberAxis('signal', 'val. accuracy', candidates.map((c) => c.signal ?? Number.NaN), (v) => formatPercent(v, 1), false);
  if (accuracy) axes.push(accuracy);
  const rows = candidates.map((c, row) => ({
    index: c.index,
    positions: axes.map((axis) => {
      if (axis.key === 'params') return axisPosition(axis, c.params);
      if (axis.key === 'signal') return axisPosition(axis, c.signal);
      return axisPosition(axis, values[row]?.[Number(axis.key.slice('slot:'.length))]);
    }),
  }));
  return { axes, rows };
}

/** The candidates inside every brush (all of them without brushes), in the data's order. */
export function brushedIndices(data: ParallelData, brushes: Brushes): number[] {
  const active = data.axes.flatMap((axis, i) => (brushes[axis.key] ? [[i, brushes[axis.key]] as const] : []));
  return data.rows
    .filter((row) =>
      active.every(([i, [low, high]]) => {
        const p = row.positions[i];
        return p !== null && p >= Math.min(low, high) - 1e-9 && p <= Math.max(low, high) + 1e-9;
      }),
    )
    .map((row) => row.index);
}

/** What a brush keeps, in words ("edge 2←1: conv 3×3, skip"; "val. accuracy: 80.1%–92.3%"). */
export function describeBrush(axis: Axis, [a, b]: readonly [number, number]): string {
  const low = Math.min(a, b);
  const high = Math.max(a, b);
  if (axis.kind === 'category') {
    const kept = axis.categories.filter((category) => {
      const p = axisPosition(axis, category)!;
      return p >= low - 1e-9 && p <= high + 1e-9;
    });
    return `${axis.label}: ${kept.length ? kept.join(', ') : 'nothing'}`;
  }
  const at = (p: number) => (axis.log ? Math.exp(Math.log(axis.min) + p * (Math.log(axis.max) - Math.log(axis.min))) : axis.min + p * (axis.max - axis.min));
  return `${axis.label}: ${axis.format(at(low))}–${axis.format(at(high))}`;
}
