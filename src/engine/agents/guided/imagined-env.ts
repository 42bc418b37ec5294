/**
 * The environments PPO trains on between real evaluations: the candidate space as the plain PPO
 * agent acts in it (the same spaces, masks and policy shape, ppoSpec), but a step costs nothing,
 * because the reward is what the predictor's acquisition says of the finished candidate.
 *  - full: one step per episode, the action is the whole candidate, the observation empty, so the
 *    policy is a distribution over candidates;
 *  - layer-wise: one slot per step, the policy sees the partial candidate (prefixFeatures), the
 *    reward comes when the candidate is complete.
 * Each also samples whole candidates from a policy, batched, for the proposal step.
 */
import type { Rng } from '../../random';
import type { Box, Discrete, MultiDiscrete } from '../../envs/spaces';
import type { Env, ResetResult, StepResult } from '../../envs/types';
import type { CandidateSpace } from '../../search/space';
import { ppoSpec, type PpoMode } from '../ppo-agent';
import { MaskableMultiCategorical, type PPO } from '../ppo';

/** What an imagined candidate is worth (the acquisition): set before each round of training. */
export type CandidateScore = (action: number[]) => number;

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

const NO_OBSERVATION = new Float32Array(0);

export class FullImaginedEnv implements ImaginedEnv {
  readonly observationSpace: Box;
  readonly actionSpace: MultiDiscrete;
  readonly slotMask?: (prefix: readonly number[]) => boolean[];
  score = unscored;
  prefix: number[] = [];
  private readonly dist: MaskableMultiCategorical;

  constructor(private readonly space: CandidateSpace) {
    const spec = ppoSpec(space, 'full');
    this.observationSpace = spec.observationSpace;
    this.actionSpace = spec.actionSpace as MultiDiscrete;
    if (spec.slotMask) this.slotMask = spec.slotMask;
    this.dist = new MaskableMultiCategorical(space.nvec);
  }

  reset(): ResetResult<Float32Array> {
    return { obs: NO_OBSERVATION, info: {} };
  }

  step(action: number[]): StepResult<Float32Array> {
    return { obs: NO_OBSERVATION, reward: this.score(this.space.complete(action)), terminated: true, truncated: false, info: {} };
  }

  render(): unknown {
    return {};
  }

  sampleCandidates(ppo: PPO, n: number, rng: Rng): number[][] {
    const { logits } = ppo.forward(NO_OBSERVATION, 1);
    const masks = new Uint8Array(this.dist.dim);
    const out: number[][] = [];
    for (let i = 0; i < n; i++) {
      const prefix: number[] = [];
      let offset = 0;
      for (let s = 0; s < this.space.nvec.length; s++) {
        this.space.slotMask(prefix).forEach((ok, j) => (masks[offset + j] = ok ? 1 : 0));
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
  readonly actionMasks?: () => boolean[];
  score = unscored;
  prefix: number[] = [];
  private readonly dist: MaskableMultiCategorical;

  constructor(private readonly space: CandidateSpace) {
    const spec = ppoSpec(space, 'layerwise');
    this.observationSpace = spec.observationSpace;
    this.actionSpace = spec.actionSpace as Discrete;
    if (spec.actionMasks) this.actionMasks = () => this.space.slotMask(this.prefix);
    this.dist = new MaskableMultiCategorical([space.nvec[0]]);
  }

  reset(): ResetResult<Float32Array> {
    this.prefix = [];
    return { obs: this.space.prefixFeatures(this.prefix), info: {} };
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
    const width = this.dist.dim;
    for (;;) {
      const open = prefixes.flatMap((p, i) => (this.space.isComplete(p) ? [] : [i]));
      if (open.length === 0) break;
      const obs = new Float32Array(open.length * size);
      open.forEach((i, row) => obs.set(this.space.prefixFeatures(prefixes[i]), row * size));
      const { logits } = ppo.forward(obs, open.length);
      const masks = new Uint8Array(open.length * width);
      open.forEach((i, row) => {
        this.space.slotMask(prefixes[i]).forEach((ok, j) => (masks[row * width + j] = ok ? 1 : 0));
        prefixes[i].push(this.dist.sampleSlot(logits, masks, row * width, 0, rng)[0]);
      });
    }
    return prefixes.map((p) => this.space.complete(p));
  }
}

export function imaginedEnv(space: CandidateSpace, mode: PpoMode): ImaginedEnv {
  return mode === 'full' ? new FullImaginedEnv(space) : new LayerwiseImaginedEnv(space);
}
