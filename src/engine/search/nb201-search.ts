/**
 * A whole search over the NAS-Bench-201 table in this process, with no engine process, history or
 * backend: what the benchmarks and tests run. The same loop, space, evaluator and reward as a run
 * the app starts (see prepareRun); `workers` candidates in flight (default 1).
 */
import type { SearchAgent } from '../agents/agent';
import type { Nb201Dataset, Nb201Table } from '../evaluators/nb201';
import { Nb201Evaluator } from '../evaluators/nb201-evaluator';
import { InlinePool } from '../pool/inline-pool';
import { computeReward, SIGNAL_REWARD } from './reward';
import { SearchLoop, type SearchLoopOptions } from './search-loop';
import { Nb201Space } from './space';
import type { SearchSummary } from './tally';

export function nb201Search(
  table: Nb201Table,
  dataset: Nb201Dataset,
  makeAgent: (space: Nb201Space) => SearchAgent,
  options: { budget: number; runId?: string; workers?: number } & Pick<SearchLoopOptions, 'onEvent' | 'resumeFrom' | 'cache' | 'warmStart'>,
): { loop: SearchLoop; run(signal?: AbortSignal): Promise<SearchSummary> } {
  const space = new Nb201Space(table);
  const loop = new SearchLoop(makeAgent(space), space, {
    runId: options.runId ?? 'nb201',
    evaluator: 'nb201',
    budget: { evaluations: options.budget },
    pool: new InlinePool(new Nb201Evaluator(table, dataset), options.workers),
    reward: (_action, outcome, previous) => computeReward(outcome, previous, 0, SIGNAL_REWARD),
    cache: options.cache,
    onEvent: options.onEvent,
    resumeFrom: options.resumeFrom,
    warmStart: options.warmStart,
  });
  return { loop, run: (signal) => loop.run(signal) };
}
