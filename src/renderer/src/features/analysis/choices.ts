/**
 * What a candidate chose, read from its architecture, and which choices go with a better metric.
 * A NAS-Bench-201 cell chooses an operation per edge (fixed slots). A network from an action set
 * chooses its depth, a layer per position (the slots, empty past its depth), and so which layer
 * kinds and parameter values it uses. Pure: the analysis views and their tests share it.
 */
import type { AnalysisCandidate } from '../../../../shared/history';
import { describeLayer, type LayerSpec } from '../../../../shared/layers';
import { NB201_OP_LABELS, NB201_OPS, nb201EdgeLabel, parseNb201Cell } from '../../../../shared/nb201';
import { meanInterval } from '../../../../shared/stats';

/** The value of a slot a network does not reach (past its depth). */
export const NO_LAYER = '—';

export type ReadArchitecture = { kind: 'nb201'; ops: string[] } | { kind: 'layers'; layers: LayerSpec[] };

/** A stored architecture as choices can be read from it; null for anything else. */
export function readArchitecture(architecture: unknown): ReadArchitecture | null {
  if (typeof architecture !== 'object' || architecture === null) return null;
  if ('nb201' in architecture && typeof architecture.nb201 === 'string') {
    const cell = parseNb201Cell(architecture.nb201);
    return 'error' in cell ? null : { kind: 'nb201', ops: cell.map((edge) => edge.op) };
  }
  if ('layers' in architecture && Array.isArray(architecture.layers)) return { kind: 'layers', layers: architecture.layers as LayerSpec[] };
  return null;
}

export interface ChoiceSlots {
  kind: ReadArchitecture['kind'];
  /** One label per slot: "edge 2←1", or "layer 3". */
  labels: string[];
  /** Each slot's possible values in a stable order (operations in the benchmark's order; layers as first seen, NO_LAYER first). */
  values: string[][];
}

/** The slots of a run's candidates (all of one kind: the first readable one decides). */
export function choiceSlots(candidates: readonly AnalysisCandidate[]): ChoiceSlots | null {
  const read = candidates.map((c) => readArchitecture(c.architecture)).filter((a): a is ReadArchitecture => a !== null);
  if (read.length === 0) return null;
  if (read[0].kind === 'nb201') {
    const ops = NB201_OPS.map((op) => NB201_OP_LABELS[op]);
    return { kind: 'nb201', labels: Array.from({ length: 6 }, (_, e) => nb201EdgeLabel(e)), values: Array.from({ length: 6 }, () => [...ops]) };
  }
  const depth = Math.max(0, ...read.map((a) => (a.kind === 'layers' ? a.layers.length : 0)));
  const values = Array.from({ length: depth }, () => new Set<string>([NO_LAYER]));
  for (const a of read) if (a.kind === 'layers') a.layers.forEach((layer, i) => values[i].add(describeLayer(layer)));
  return { kind: 'layers', labels: Array.from({ length: depth }, (_, i) => `layer ${i + 1}`), values: values.map((set) => [...set]) };
}

/** A candidate's value in each slot (NO_LAYER past a network's depth); null when its architecture cannot be read. */
export function slotValues(architecture: unknown, slots: ChoiceSlots): string[] | null {
  const read = readArchitecture(architecture);
  if (!read || read.kind !== slots.kind) return null;
  if (read.kind === 'nb201') return read.ops.map((op) => NB201_OP_LABELS[op] ?? op);
  return slots.labels.map((_, i) => (i < read.layers.length ? describeLayer(read.layers[i]) : NO_LAYER));
}

/**
 * The (group, value) pairs a candidate has, each once: every slot's value; for networks also the
 * depth, each layer kind it uses, and each value of a kind's parameter it uses ("conv2d filters" = "32").
 */
export function choiceFeatures(architecture: unknown, slots: ChoiceSlots): Array<[group: string, value: string]> {
  const values = slotValues(architecture, slots);
  if (!values) return [];
  const features = new Map<string, [string, string]>();
  const add = (group: string, value: string) => features.set(`${group}\u0000${value}`, [group, value]);
  values.forEach((value, i) => add(slots.labels[i], value));
  const read = readArchitecture(architecture);
  if (read?.kind === 'layers') {
    add('depth', String(read.layers.length));
    for (const layer of read.layers) {
      add('layer kind', layer.type);
      for (const [param, value] of Object.entries(layer)) if (param !== 'type') add(`${layer.type} ${param}`, String(value));
    }
  }
  return [...features.values()];
}

export interface ChoiceEffect {
  value: string;
  /** Candidates with this choice. */
  n: number;
  mean: number;
  /** 95% t interval of the mean (null with one candidate), cut to the metric's range. */
  low: number | null;
  high: number | null;
}

export interface ChoiceGroup {
  group: string;
  /** Its values, best mean first. */
  effects: ChoiceEffect[];
  /** Best mean − worst mean among values with two candidates or more: how much this choice matters. */
  spread: number;
}

/**
 * For each slot, layer kind and parameter value: the mean of the metric over the candidates that
 * chose it, with its 95% t interval. Counted over completed candidates with a metric, each
 * architecture once (a repeat or cached result would count it twice). Groups whose candidates all
 * chose the same value say nothing and are left out; the rest come with the largest spread first.
 * With few candidates a t interval can reach past what the metric can be (an accuracy outside
 * [0, 1]): it is cut at `range`.
 */
export function choiceEffects(
  candidates: readonly AnalysisCandidate[],
  slots: ChoiceSlots,
  metric: (c: AnalysisCandidate) => number | null = (c) => c.signal,
  range: readonly [number, number] = [0, 1],
): ChoiceGroup[] {
  const cut = (v: number | null) => (v === null ? null : Math.min(range[1], Math.max(range[0], v)));
  const samples = new Map<string, Map<string, number[]>>();
  for (const candidate of uniqueCompleted(candidates)) {
    const value = metric(candidate);
    if (value === null || !Number.isFinite(value)) continue;
    for (const [group, choice] of choiceFeatures(candidate.architecture, slots)) {
      const byValue = samples.get(group) ?? new Map<string, number[]>();
      samples.set(group, byValue);
      const list = byValue.get(choice) ?? [];
      byValue.set(choice, list);
      list.push(value);
    }
  }
  const groups: ChoiceGroup[] = [];
  for (const [group, byValue] of samples) {
    if (byValue.size < 2) continue;
    const effects = [...byValue]
      .map(([value, values]) => {
        const interval = meanInterval(values)!;
        return { value, ...interval, low: cut(interval.low), high: cut(interval.high) };
      })
      .sort((a, b) => b.mean - a.mean || a.value.localeCompare(b.value));
    const supported = effects.filter((e) => e.n >= 2);
    const spread = supported.length >= 2 ? supported[0].mean - supported[supported.length - 1].mean : 0;
    groups.push({ group, effects, spread });
  }
  return groups.sort((a, b) => b.spread - a.spread || a.group.localeCompare(b.group));
}

/** Completed candidates, each architecture once (its first evaluation in the run). */
export function uniqueCompleted(candidates: readonly AnalysisCandidate[]): AnalysisCandidate[] {
  const seen = new Set<string>();
  return candidates.filter((c) => {
    if (c.status !== 'completed' || seen.has(c.hash)) return false;
    seen.add(c.hash);
    return true;
  });
}
