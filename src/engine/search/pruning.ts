/**
 * Early stopping (multi-fidelity): after every epoch of every candidate the search loop asks a
 * pruner whether the candidate goes on. Two rules:
 *
 * - Median stopping (Golovin et al., "Google Vizier", 2017; Optuna's MedianPruner): once `warmup`
 *   candidates have completed, a candidate whose validation accuracy after epoch e is below the
 *   median of the completed candidates' accuracies at epoch e stops. Only completed candidates
 *   make the median: a pruned curve is cut short, so its epochs would bias the later medians.
 * - Asynchronous successive halving, ASHA (Li et al., "A System for Massively Parallel
 *   Hyperparameter Tuning", 2020), with reduction factor η = 3: rungs at epochs 1, 3, 9, … below the
 *   run's last epoch. ASHA promotes a configuration from a rung when it is in the top 1/η of the
 *   results recorded there; with a fixed set of candidates trained one epoch after another,
 *   "promoted" means "goes on training" and "not promoted" means "stops". A candidate reaching a rung
 *   records its accuracy there and goes on when fewer than ⌊n/η⌋ of the n results at that rung
 *   (its own included) are strictly better. With fewer than η results at a rung, ⌊n/η⌋ is 0 and no
 *   ranking means anything yet: the candidate goes on (as ASHA's first configurations do, which
 *   are never stopped before others arrive to be compared with). Results stay at their rung when
 *   their candidate stops.
 *
 * Neither rule stops a candidate at the run's last epoch (nothing would be saved), and both ignore
 * reports from a candidate they already stopped (across processes the verdict may arrive an epoch
 * late). Decisions depend only on the order of the reports and finishes, never on timing, so they
 * work with any number of candidates in flight and are deterministic given that order.
 *
 * Resume: the pruner's state travels in the search loop's checkpoint, which is taken after each
 * finished candidate, rather than being rebuilt from the history's per-epoch metrics: the history
 * does not record the order in which epochs of concurrent candidates arrived, which decisions depend
 * on, and the checkpoint is already the engine's one source for resuming. It holds what the
 * finished candidates contributed; candidates in flight are evaluated again on resume and report again.
 */
import { z } from 'zod';
import type { PruneRule } from '../../shared/run-config';
import { parseCheckpoint } from '../checkpoint';
import type { OutcomeStatus } from '../evaluators/types';

export type PruneVerdict = 'continue' | 'prune';

export interface Pruner {
  readonly rule: Exclude<PruneRule, 'none'>;
  /** After epoch `epoch` (1-based) of candidate `index`, with its validation accuracy then. */
  report(index: number, epoch: number, validAccuracy: number): PruneVerdict;
  /** The candidate is done: `curve` is its validation accuracy per epoch (the whole one when completed). */
  finish(index: number, status: OutcomeStatus, curve: readonly number[]): void;
  /** JSON: what the finished candidates contributed. */
  checkpoint(): PrunerCheckpoint;
}

export const DEFAULT_MEDIAN_WARMUP = 5;
export const ASHA_REDUCTION_FACTOR = 3;

const MedianCheckpointSchema = z.object({
  rule: z.literal('median'),
  /** Completed candidates' validation accuracy per epoch, in the order they finished. */
  completed: z.array(z.array(z.number())),
});
const AshaCheckpointSchema = z.object({
  rule: z.literal('asha'),
  /** Per rung, [candidate index, validation accuracy] of the finished candidates that reached it. */
  rungs: z.array(z.array(z.tuple([z.int().min(0), z.number()]))),
});
const PrunerCheckpointSchema = z.discriminatedUnion('rule', [MedianCheckpointSchema, AshaCheckpointSchema]);
export type PrunerCheckpoint = z.output<typeof PrunerCheckpointSchema>;

/** The run's pruner (none for rule `none`), restored from its checkpoint part when resuming. */
export function createPruner(rule: PruneRule, epochs: number, checkpoint?: unknown): Pruner | undefined {
  if (rule === 'none') return undefined;
  const state = checkpoint === undefined ? undefined : parseCheckpoint(PrunerCheckpointSchema, checkpoint, 'pruner');
  if (state && state.rule !== rule) throw new Error(`the checkpoint holds a ${state.rule} pruner, but the run prunes with ${rule}`);
  return rule === 'median'
    ? new MedianStopping(epochs, DEFAULT_MEDIAN_WARMUP, state as z.output<typeof MedianCheckpointSchema> | undefined)
    : new SuccessiveHalving(epochs, ASHA_REDUCTION_FACTOR, state as z.output<typeof AshaCheckpointSchema> | undefined);
}

/** Stopped candidates still in flight: their later reports are answered without being recorded. */
class StoppedSet {
  private readonly indices = new Set<number>();
  has(index: number): boolean {
    return this.indices.has(index);
  }
  stop(index: number): PruneVerdict {
    this.indices.add(index);
    return 'prune';
  }
  release(index: number): void {
    this.indices.delete(index);
  }
}

export class MedianStopping implements Pruner {
  readonly rule = 'median';
  private readonly completed: number[][];
  private readonly stopped = new StoppedSet();

  constructor(
    /** The run's epochs per candidate. */
    private readonly epochs: number,
    /** Completed candidates needed before anything is stopped. */
    private readonly warmup = DEFAULT_MEDIAN_WARMUP,
    from?: z.output<typeof MedianCheckpointSchema>,
  ) {
    this.completed = from ? from.completed.map((curve) => [...curve]) : [];
  }

  report(index: number, epoch: number, validAccuracy: number): PruneVerdict {
    if (this.stopped.has(index)) return 'prune';
    if (epoch >= this.epochs || this.completed.length < this.warmup) return 'continue';
    const earlier = this.completed.map((curve) => curve[epoch - 1]).filter((value) => value !== undefined && Number.isFinite(value));
    if (earlier.length === 0) return 'continue';
    // A NaN accuracy is no better than the median.
    return validAccuracy >= median(earlier) ? 'continue' : this.stopped.stop(index);
  }

  finish(index: number, status: OutcomeStatus, curve: readonly number[]): void {
    this.stopped.release(index);
    if (status === 'completed') this.completed.push([...curve]);
  }

  checkpoint(): PrunerCheckpoint {
    return { rule: 'median', completed: this.completed.map((curve) => [...curve]) };
  }
}

export class SuccessiveHalving implements Pruner {
  readonly rule = 'asha';
  /** The rungs' epochs: η^k below the run's last epoch. */
  readonly rungEpochs: readonly number[];
  /** Per rung, each candidate's validation accuracy there. */
  private readonly rungs: Array<Map<number, number>>;
  /** Candidates that reported and have not finished: their results stay out of checkpoints. */
  private readonly open = new Set<number>();
  private readonly stopped = new StoppedSet();

  constructor(
    epochs: number,
    private readonly eta = ASHA_REDUCTION_FACTOR,
    from?: z.output<typeof AshaCheckpointSchema>,
  ) {
    const rungEpochs: number[] = [];
    for (let epoch = 1; epoch < epochs; epoch *= eta) rungEpochs.push(epoch);
    this.rungEpochs = rungEpochs;
    this.rungs = rungEpochs.map((_, rung) => new Map(from?.rungs[rung] ?? []));
  }

  report(index: number, epoch: number, validAccuracy: number): PruneVerdict {
    if (this.stopped.has(index)) return 'prune';
    this.open.add(index);
    const rung = this.rungEpochs.indexOf(epoch);
    if (rung < 0) return 'continue';
    const results = this.rungs[rung];
    const value = rankable(validAccuracy);
    results.set(index, value);
    const promoted = Math.floor(results.size / this.eta);
    if (promoted === 0) return 'continue';
    let better = 0;
    for (const other of results.values()) if (other > value) better++;
    return better < promoted ? 'continue' : this.stopped.stop(index);
  }

  finish(index: number, status: OutcomeStatus, curve: readonly number[]): void {
    this.stopped.release(index);
    this.open.delete(index);
    // A completed candidate reached every rung, also one told from the cache or whose late verdict
    // let it finish: its results there count.
    if (status !== 'completed') return;
    this.rungEpochs.forEach((epoch, rung) => {
      const value = curve[epoch - 1];
      if (value !== undefined && !this.rungs[rung].has(index)) this.rungs[rung].set(index, rankable(value));
    });
  }

  checkpoint(): PrunerCheckpoint {
    return {
      rule: 'asha',
      rungs: this.rungs.map((results) => [...results].filter(([index]) => !this.open.has(index)).sort((a, b) => a[0] - b[0])),
    };
  }
}

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** An accuracy to rank by: a NaN one ranks below every real accuracy (and stays JSON). */
function rankable(accuracy: number): number {
  return Number.isFinite(accuracy) ? accuracy : -1;
}
