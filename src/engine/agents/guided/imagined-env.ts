/**
 * The environments PPO trains on between real evaluations: the same candidate space, but a step
 * costs nothing, because the reward is what the predictor's acquisition says of the finished
 * candidate. Two modes, as the real search's:
 *  - full: one step per episode, the action is the whole candidate (a MultiDiscrete with per-slot
 *    masks), the observation a constant, so the policy is a distribution over candidates;
 *  - layer-wise: one slot per step, the policy sees the partial candidate (prefixFeatures), the
 *    reward comes when the candidate is complete.
 * Each also samples whole candidates from a policy, batched, for the proposal step.
 */
import type { PPO } from '../ppo';
import { MaskableMultiCategorical } from '../ppo';
import type { Rng } from '../../random';
import { Box, Discrete, MultiDiscrete } from '../../envs/spaces';
import type { Env, ResetResult, StepResult } from '../../envs/types';
import type { CandidateSpace } from '../../search/space';

/** What an imagined candidate is worth (the acquisition): set before each round of training. */
export type CandidateScore = (action: number[]) => number;

export type GuidedMode = 'full' | 'layerwise';

export interface ImaginedEnv extends Env {
  score: CandidateScore;
  /** The partial candidate of the episode in progress (layer-wise), for checkpoints. */
  prefix: number[];
  /** n whole candidates drawn from the policy (its own draws from rng, not PPO's). */
  sampleCandidates(ppo: PPO, n: number, rng: Rng): number[][];
}

const unscored: CandidateScore = () => {
  throw new Error('imagined environment: no score set');
};

const toMask = (mask: readonly boolean[], out: Uint8Array, offset = 0) => mask.forEach((ok, j) => (out[offset + j] = ok ? 1 : 0));

export class FullImaginedEnv implements ImaginedEnv {
  readonly observationSpace = new Box(1, 1, [1]);
  readonly actionSpace: MultiDiscrete;
  score = unscored;
  prefix: number[] = [];
  private readonly dist: MaskableMultiCategorical;

  constructor(private readonly space: CandidateSpace) {
    this.actionSpace = new MultiDiscrete(space.nvec);
    this.dist = new MaskableMultiCategorical(space.nvec);
  }

  reset(): ResetResult<Float32Array> {
    return { obs: Float32Array.of(1), info: {} };
  }

  slotMask(prefix: readonly number[]): boolean[] {
    return this.space.slotMask(prefix);
  }

  step(action: number[]): StepResult<Float32Array> {
    return { obs: Float32Array.of(1), reward: this.score(this.space.complete(action)), terminated: true, truncated: false, info: {} };
  }

  render(): unknown {
    return {};
  }

  sampleCandidates(ppo: PPO, n: number, rng: Rng): number[][] {
    const { logits } = ppo.forward(Float32Array.of(1), 1);
    const masks = new Uint8Array(this.dist.dim);
    const out: number[][] = [];
    for (let i = 0; i < n; i++) {
      const prefix: number[] = [];
      let offset = 0;
      for (let s = 0; s < this.space.nvec.length; s++) {
        toMask(this.space.slotMask(prefix), masks, offset);
        prefix.push(this.dist.sampleSlot(logits, masks, 0, s, rng)[0]);
        offset += this.space.nvec[s];
      }
      out.push(this.space.complete(prefix));
    }
    return out;
  }
}

export class LayerwiseImaginedEnv implements ImaginedEnv {
  readonly observationSpace: Box;
  readonly actionSpace: Discrete;
  score = unscored;
  prefix: number[] = [];
  /** Slots have different sizes in general: the action is Discrete(max), masked down to the slot's. */
  private readonly width: number;
  private readonly dist: MaskableMultiCategorical;

  constructor(private readonly space: CandidateSpace) {
    this.width = Math.max(...space.nvec);
    this.observationSpace = new Box(0, 1, [space.prefixFeatureSize]);
    this.actionSpace = new Discrete(this.width);
    this.dist = new MaskableMultiCategorical([this.width]);
  }

  reset(): ResetResult<Float32Array> {
    this.prefix = [];
    return { obs: this.space.prefixFeatures(this.prefix), info: {} };
  }

  actionMasks(): boolean[] {
    return this.maskOf(this.prefix);
  }

  step(action: number): StepResult<Float32Array> {
    this.prefix.push(action);
    const done = this.space.isComplete(this.prefix);
    const reward = done ? this.score(this.space.complete(this.prefix)) : 0;
    return { obs: this.space.prefixFeatures(this.prefix), reward, terminated: done, truncated: false, info: {} };
  }

  render(): unknown {
    return { prefix: [...this.prefix] };
  }

  sampleCandidates(ppo: PPO, n: number, rng: Rng): number[][] {
    const prefixes: number[][] = Array.from({ length: n }, () => []);
    const size = this.space.prefixFeatureSize;
    for (;;) {
      const open = prefixes.flatMap((p, i) => (this.space.isComplete(p) ? [] : [i]));
      if (open.length === 0) break;
      const obs = new Float32Array(open.length * size);
      open.forEach((i, row) => obs.set(this.space.prefixFeatures(prefixes[i]), row * size));
      const { logits } = ppo.forward(obs, open.length);
      const masks = new Uint8Array(open.length * this.width);
      open.forEach((i, row) => {
        toMask(this.maskOf(prefixes[i]), masks, row * this.width);
        prefixes[i].push(this.dist.sampleSlot(logits, masks, row * this.width, 0, rng)[0]);
      });
    }
    return prefixes.map((p) => this.space.complete(p));
  }

  private maskOf(prefix: readonly number[]): boolean[] {
    const mask = this.space.slotMask(prefix);
    return Array.from({ length: this.width }, (_, j) => mask[j] ?? false);
  }
}

export function imaginedEnv(space: CandidateSpace, mode: GuidedMode): ImaginedEnv {
  return mode === 'full' ? new FullImaginedEnv(space) : new LayerwiseImaginedEnv(space);
}
