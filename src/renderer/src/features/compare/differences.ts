/**
 * What sets compared runs apart: warnings when their accuracies do not compare (another evaluator
 * or dataset), their configs' differing fields side by side, and groups of runs that differ only
 * in seed, whose best-so-far curves are aggregated (mean with a 95% t interval). Pure.
 */
import { canonicalJson } from '../../../../shared/architecture';
import type { RunDetail, RunSeries } from '../../../../shared/history';
import type { RunConfig } from '../../../../shared/run-config';
import { meanInterval } from '../../../../shared/stats';
import { alignSeries } from './model';

type ComparedRun = Pick<RunDetail, 'id' | 'evaluator' | 'dataset' | 'config'>;

/** One line per reason the runs' accuracies do not compare. */
export function compareWarnings(runs: readonly ComparedRun[]): string[] {
  const warnings: string[] = [];
  const distinct = (pick: (run: ComparedRun) => string) => [...new Set(runs.map(pick))];
  const evaluators = distinct((run) => run.evaluator);
  if (evaluators.length > 1) {
    warnings.push(
      `These runs use different evaluators (${evaluators.join(', ')}): a NAS-Bench-201 accuracy is a table's 12-epoch result, not one trained here, so the curves do not compare.`,
    );
  }
  const datasets = distinct((run) => (run.evaluator === 'nb201' ? `NAS-Bench-201 ${run.dataset ?? '?'}` : (run.dataset ?? '?')));
  if (datasets.length > 1) warnings.push(`These runs search different datasets (${datasets.join(', ')}): their accuracies do not compare.`);
  return warnings;
}

/** Config fields the run's evaluator never reads (a NAS-Bench-201 run keeps the training defaults). */
const UNUSED_BY: Readonly<Record<string, readonly string[]>> = {
  nb201: ['dataset', 'dataDir', 'subset', 'training', 'actionSet', 'prune'],
  training: ['nb201Dataset', 'nb201Dir'],
};
export const UNUSED = '(unused)';

/** A config as dotted paths to readable values (an action set as its name and size; fields its evaluator ignores as UNUSED). */
export function flattenConfig(config: RunConfig): Record<string, string> {
  const flat: Record<string, string> = {};
  const unused = UNUSED_BY[config.evaluator] ?? [];
  const walk = (value: unknown, path: string) => {
    if (unused.includes(path.split('.')[0])) {
      if (value !== null && typeof value === 'object' && !Array.isArray(value) && path !== 'actionSet') {
        for (const [key, inner] of Object.entries(value)) walk(inner, `${path}.${key}`);
      } else flat[path] = UNUSED;
      return;
    }
    if (path === 'actionSet' && value && typeof value === 'object') {
      const set = value as { name?: string; nodes?: unknown[]; maxLayers?: number };
      // Equal names with other contents still differ: the canonical text's length tells most apart.
      flat[path] = `“${set.name ?? ''}”, ${set.nodes?.length ?? 0} nodes, ≤ ${set.maxLayers ?? '?'} layers (${canonicalJson(value).length} chars)`;
      return;
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) walk(inner, path ? `${path}.${key}` : key);
      return;
    }
    flat[path] = value === undefined ? '–' : typeof value === 'string' ? value : JSON.stringify(value);
  };
  walk(config, '');
  return flat;
}

export interface ConfigDifference {
  path: string;
  /** One per run, in the runs' order ('–' where a run's config has no such field). */
  values: string[];
}

/** The config fields whose values are not the same in every run, in path order. */
export function configDifferences(configs: readonly RunConfig[]): ConfigDifference[] {
  const flats = configs.map(flattenConfig);
  const paths = [...new Set(flats.flatMap((flat) => Object.keys(flat)))].sort();
  return paths
    .map((path) => ({ path, values: flats.map((flat) => flat[path] ?? '–') }))
    .filter((row) => new Set(row.values).size > 1);
}

/** A config without what only names or seeds a run (and which models it keeps): runs equal on this differ only in seed. */
function seedlessKey(config: RunConfig): string {
  const { name: _name, seed: _seed, keepModels: _keepModels, training, ...rest } = config;
  const { seed: _trainingSeed, ...trainingRest } = training;
  return canonicalJson({ ...rest, training: trainingRest });
}

/** Groups (two runs or more, in the order given) of runs whose configs differ only in their seeds. */
export function seedGroups(runs: readonly Pick<RunDetail, 'id' | 'config'>[]): string[][] {
  const groups = new Map<string, string[]>();
  for (const run of runs) {
    const key = seedlessKey(run.config);
    groups.set(key, [...(groups.get(key) ?? []), run.id]);
  }
  return [...groups.values()].filter((ids) => ids.length >= 2);
}

export interface AggregateCurve {
  x: number[];
  mean: Array<number | null>;
  low: Array<number | null>;
  high: Array<number | null>;
  /** Runs with a value at each x. */
  n: number[];
}

/** The best-so-far of several runs, candidate by candidate: mean and 95% t interval where two runs or more have reached it. */
export function aggregateBestSoFar(series: readonly RunSeries[]): AggregateCurve {
  const aligned = alignSeries(series, 'bestSoFar', { carry: true });
  const curve: AggregateCurve = { x: aligned.x, mean: [], low: [], high: [], n: [] };
  aligned.x.forEach((_, i) => {
    const values = aligned.values.map((row) => row[i]).filter((v): v is number => v !== null);
    const interval = values.length >= 2 ? meanInterval(values) : undefined;
    curve.n.push(values.length);
    curve.mean.push(interval?.mean ?? null);
    curve.low.push(interval?.low ?? null);
    curve.high.push(interval?.high ?? null);
  });
  return curve;
}
