/**
 * The Pareto front of accuracy against cost: the candidates no other candidate beats on both (as
 * accurate or more, for as little or less, and strictly better on one). Pure, for the Pareto view and its tests.
 */
import type { AnalysisCandidate } from '../../../../shared/history';
import { uniqueCompleted } from './choices';

export type CostAxis = 'params' | 'seconds';

export interface ParetoPoint {
  index: number;
  /** The cost (parameters or seconds): lower is better. */
  x: number;
  /** The metric (validation accuracy): higher is better. */
  y: number;
}

/**
 * The points a Pareto view plots: completed candidates, each architecture once, with a positive
 * cost and a metric. Against time, cached candidates are left out: their seconds are a lookup's.
 */
export function paretoPoints(candidates: readonly AnalysisCandidate[], axis: CostAxis): ParetoPoint[] {
  const points: ParetoPoint[] = [];
  for (const c of uniqueCompleted(candidates)) {
    if (axis === 'seconds' && c.cached) continue;
    const x = c[axis];
    if (x === null || !(x > 0) || c.signal === null || !Number.isFinite(c.signal)) continue;
    points.push({ index: c.index, x, y: c.signal });
  }
  return points;
}

/** The indices of the non-dominated points (equal points are all kept), ordered by cost. */
export function paretoFront(points: readonly ParetoPoint[]): number[] {
  const sorted = [...points].sort((a, b) => a.x - b.x || b.y - a.y || a.index - b.index);
  const front: ParetoPoint[] = [];
  for (const p of sorted) {
    const last = front.at(-1);
    if (!last || p.y > last.y || (p.y === last.y && p.x === last.x)) front.push(p);
  }
  return front.map((p) => p.index);
}
