/**
 * What a search searches: a space of action vectors, how to describe one, and how to score it.
 * Two kinds: networks from an action set, trained on real data (through the NAS environment),
 * and NAS-Bench-201 cells looked up in the benchmark table.
 */
import { architectureHash } from '../../shared/architecture';
import { describeLayers } from '../../shared/layers';
import type { SlotMask } from '../agents/strategy';
import { decodeArch, NB201_NVEC, type Nb201Dataset, type Nb201Table } from '../evaluators/nb201';
import type { CandidateOutcome, EvaluationHooks } from '../evaluators/types';
import type { NasEnv } from '../envs/nas';

export interface ProblemEvaluation {
  status: CandidateOutcome['status'];
  /** Validation accuracy in [0, 1]: what the search maximises. */
  signal: number;
  /** What an RL agent is paid (the environment's reward). */
  reward: number;
  cached: boolean;
  params?: number;
  /** Test accuracy in [0, 1], for reports only (nb201: the 200-epoch test accuracy). */
  testAccuracy?: number;
  error?: string;
}

export interface SearchProblem {
  readonly evaluator: 'training' | 'nb201';
  readonly nvec: readonly number[];
  readonly slotMask?: SlotMask;
  describe(action: readonly number[]): { label: string; hash: string; architecture: unknown };
  evaluate(action: number[], hooks: EvaluationHooks): Promise<ProblemEvaluation>;
}

/** Networks drawn from an action set, scored by training them (the NAS environment in full mode). */
export class ActionSetProblem implements SearchProblem {
  readonly evaluator = 'training' as const;
  readonly nvec: readonly number[];
  readonly slotMask: SlotMask;

  constructor(readonly env: NasEnv) {
    if (env.mode !== 'full') throw new Error('ActionSetProblem proposes whole networks: use the environment in full mode');
    this.nvec = new Array(env.grammar.maxLayers).fill(env.grammar.size);
    const { slotMask } = env;
    if (!slotMask) throw new Error('the environment has no slot masks');
    this.slotMask = slotMask;
  }

  describe(action: readonly number[]) {
    const layers = this.env.grammar.layers(action);
    return {
      label: describeLayers(layers),
      hash: architectureHash(layers),
      architecture: { layers },
    };
  }

  async evaluate(action: number[], hooks: EvaluationHooks): Promise<ProblemEvaluation> {
    this.env.hooks = hooks;
    const step = await this.env.step(action);
    const outcome = step.info.outcome as CandidateOutcome;
    return {
      status: outcome.status,
      signal: outcome.signal,
      reward: step.reward,
      cached: outcome.cached,
      params: outcome.params,
      testAccuracy: outcome.testAccuracy,
      error: outcome.error,
    };
  }
}

/** NAS-Bench-201: the signal is the 12-epoch validation accuracy, the report the 200-epoch test accuracy. */
export class Nb201Problem implements SearchProblem {
  readonly evaluator = 'nb201' as const;
  readonly nvec = NB201_NVEC;
  private readonly seen = new Set<number>();

  constructor(
    private readonly table: Nb201Table,
    private readonly dataset: Nb201Dataset,
  ) {}

  describe(action: readonly number[]) {
    const arch = decodeArch(action);
    return { label: arch, hash: `nb201:${this.table.indexOf(action)}`, architecture: { nb201: arch } };
  }

  async evaluate(action: number[]): Promise<ProblemEvaluation> {
    const result = this.table.lookup(action, this.dataset);
    const cached = this.seen.has(result.index);
    this.seen.add(result.index);
    const signal = result.signal / 100;
    return { status: 'completed', signal, reward: signal, cached, testAccuracy: result.test200 / 100 };
  }
}
