/**
 * NAS-Bench-201 as an evaluator: a cell's "evaluation" is a table lookup of its 12-epoch
 * validation accuracy (the search signal, as a fraction) and its 200-epoch test accuracy (reported),
 * with the parameter count of the benchmark's network built from the cell.
 */
import { NB201_CLASSES, nb201Params } from '../../shared/nb201';
import { NB201_OPS, type Nb201Dataset, type Nb201Table } from './nb201';
import type { CandidateEvaluator, CandidateOutcome, EvaluationJob } from './types';

export class Nb201Evaluator implements CandidateEvaluator {
  readonly settingsKey: string;
  readonly epochs = 0;

  constructor(
    private readonly table: Nb201Table,
    private readonly dataset: Nb201Dataset,
  ) {
    this.settingsKey = `nb201|${dataset}`;
  }

  async evaluate(job: EvaluationJob): Promise<CandidateOutcome> {
    const result = this.table.lookup(job.action, this.dataset);
    const params = nb201Params(
      job.action.map((op) => NB201_OPS[op]),
      NB201_CLASSES[this.dataset],
    );
    return { status: 'completed', signal: result.signal / 100, epochs: [], hash: `nb201:${result.index}`, cached: false, testAccuracy: result.test200 / 100, params };
  }
}
