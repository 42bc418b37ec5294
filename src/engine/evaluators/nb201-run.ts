/**
 * Runs a SearchStrategy on NAS-Bench-201 for a budget of evaluations (table lookups), the way the
 * NB201 paper does with an evaluation count instead of simulated time: the strategy only ever sees
 * the 12-epoch validation signal; the chosen architecture is the one with the best signal seen
 * (ties: the first), and its 200-epoch test accuracy is what gets reported. Every ask counts
 * against the budget, repeats included (re-querying costs as much as in the paper).
 */
import type { SearchStrategy } from '../agents/strategy';
import { loadNb201, type Nb201Dataset, type Nb201Result, type Nb201Table } from './nb201';

export interface Nb201RunOptions {
  budget: number;
  dataset: Nb201Dataset;
  /** Defaults to loadNb201() (the default data directory, cached). */
  table?: Nb201Table;
  /** Called after each evaluation (1-based count). */
  onEvaluation?: (evaluation: number, result: Nb201Result) => void;
}

export interface Nb201RunResult {
  strategy: string;
  dataset: Nb201Dataset;
  /** Evaluations spent (= budget). */
  evaluations: number;
  /** Distinct architectures evaluated. */
  distinct: number;
  /** Evaluations of an architecture already evaluated in this run (evaluations − distinct). */
  repeated: number;
  /** The chosen architecture: best signal seen, first on ties. */
  best: Nb201Result;
  /** The 1-based evaluation at which `best` was first seen. */
  bestAt: number;
  /** Best signal after each evaluation. */
  bestSignalTrace: number[];
}

export async function runOnNb201(strategy: SearchStrategy, options: Nb201RunOptions): Promise<Nb201RunResult> {
  const { budget, dataset } = options;
  if (!Number.isInteger(budget) || budget < 1) throw new Error(`budget must be a positive integer, got ${budget}`);
  const table = options.table ?? loadNb201();
  const seen = new Set<number>();
  const trace: number[] = [];
  let best: Nb201Result | undefined;
  let bestAt = 0;
  for (let e = 1; e <= budget; e++) {
    const action = await strategy.ask();
    const result = table.lookup(action, dataset);
    seen.add(result.index);
    if (!best || result.signal > best.signal) {
      best = result;
      bestAt = e;
    }
    trace.push(best.signal);
    await strategy.tell(action, result.signal);
    options.onEvaluation?.(e, result);
  }
  return {
    strategy: strategy.name,
    dataset,
    evaluations: budget,
    distinct: seen.size,
    repeated: budget - seen.size,
    best: best!,
    bestAt,
    bestSignalTrace: trace,
  };
}
