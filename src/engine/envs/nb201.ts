/**
 * NAS-Bench-201 as an environment: one step proposes a cell (6 edges × 5 ops), the reward is its
 * 12-epoch validation accuracy (a fraction), and the observation is the memory of the last
 * `memoryLen` cells and their signals, newest last (as the NAS environment's).
 *
 * memoryLen defaults to 0, a constant observation: PPO then learns a plain distribution over cells.
 * Measured on cifar10 (budget 100, seeds 0–99): with a memory of 10, PPO was no better than random
 * search (93.75); with a constant observation it reached 93.94, just above regularized evolution.
 */
import { z } from 'zod';
import { parseCheckpoint } from '../checkpoint';
import { decodeArch, NB201_NVEC, type Nb201Dataset, type Nb201Table } from '../evaluators/nb201';
import type { CandidateOutcome } from '../evaluators/types';
import { Box, DictSpace, MultiDiscrete } from './spaces';
import type { ResetResult, StepResult } from './types';
import type { CandidateDescription, CandidateEnv, Proposal } from './candidate-env';

type Nb201Observation = Record<string, Float32Array>;

const Nb201CheckpointSchema = z.object({
  // Every edge has the same five operations.
  memory: z.array(z.object({ action: z.array(z.int().min(0).max(NB201_NVEC[0] - 1)).length(NB201_NVEC.length), signal: z.number() })),
  /** Indices of the cells seen so far (a repeat counts as a cache hit). */
  seen: z.array(z.int().min(0).max(NB201_NVEC.reduce((cells, ops) => cells * ops, 1) - 1)),
});

export class Nb201Env implements CandidateEnv<DictSpace<Record<string, Box>>, MultiDiscrete> {
  readonly observationSpace: DictSpace<Record<string, Box>>;
  readonly actionSpace = new MultiDiscrete([...NB201_NVEC]);
  onPropose?: (proposal: Proposal) => void;
  hooks = {};
  private memory: Array<{ action: number[]; signal: number }> = [];
  private readonly seen = new Set<number>();

  constructor(
    private readonly table: Nb201Table,
    private readonly dataset: Nb201Dataset,
    private readonly memoryLen = 0,
  ) {
    const spaces: Record<string, Box> = {
      architectures: new Box(0, 1, [memoryLen, NB201_NVEC.length]),
      signals: new Box(0, 1, [memoryLen]),
    };
    this.observationSpace = new DictSpace(spaces);
  }

  reset(): ResetResult<Nb201Observation> {
    return { obs: this.observe(), info: {} };
  }

  async step(action: number[]): Promise<StepResult<Nb201Observation>> {
    const result = this.table.lookup(action, this.dataset);
    this.onPropose?.({ action: [...action], ...this.describe(action) });
    const cached = this.seen.has(result.index);
    this.seen.add(result.index);
    const signal = result.signal / 100;
    const outcome: CandidateOutcome = { status: 'completed', signal, epochs: [], hash: `nb201:${result.index}`, cached, testAccuracy: result.test200 / 100 };
    this.memory.push({ action: [...action], signal });
    if (this.memory.length > this.memoryLen) this.memory.shift();
    return { obs: this.observe(), reward: signal, terminated: true, truncated: false, info: { outcome } };
  }

  describe(action: readonly number[]): CandidateDescription {
    const arch = decodeArch(action);
    return { label: arch, hash: `nb201:${this.table.indexOf(action)}`, architecture: { nb201: arch } };
  }

  render(): unknown {
    return { memory: this.memory.map((m) => ({ arch: decodeArch(m.action), signal: m.signal })) };
  }

  checkpoint(): unknown {
    return { memory: structuredClone(this.memory), seen: [...this.seen] };
  }

  restore(checkpoint: unknown): void {
    const c = parseCheckpoint(Nb201CheckpointSchema, checkpoint, 'NAS-Bench-201 environment');
    // slice(-0) would keep everything. Parsing made fresh objects: nothing is shared with the caller.
    this.memory = this.memoryLen > 0 ? c.memory.slice(-this.memoryLen) : [];
    this.seen.clear();
    for (const i of c.seen) this.seen.add(i);
  }

  private observe(): Nb201Observation {
    const slots = NB201_NVEC.length;
    const architectures = new Float32Array(this.memoryLen * slots);
    const signals = new Float32Array(this.memoryLen);
    const offset = this.memoryLen - this.memory.length;
    this.memory.forEach(({ action, signal }, i) => {
      action.forEach((a, s) => (architectures[(offset + i) * slots + s] = a / 4));
      signals[offset + i] = signal;
    });
    return { architectures, signals };
  }
}
