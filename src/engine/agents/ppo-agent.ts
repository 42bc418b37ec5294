/**
 * PPO as a search agent that learns from real rewards alone (the "predictor: none" agent): each
 * candidate is one episode, stepped by the agent itself over the candidate space. Full mode picks
 * every slot in one step from a constant observation (a learned distribution over candidates, with
 * the space's per-slot masks); layer-wise mode picks one slot per step and sees the partial
 * candidate (MetaQNN-style). Asked candidates keep their steps (observations, log-probabilities,
 * values, masks) until told, in any order; a told episode's steps then go into PPO's rollout,
 * reward on the last, and PPO updates whenever the rollout is full (SB3's semantics).
 */
import { z } from 'zod';
import { NAS_PPO_ROLLOUT_STEPS } from '../../shared/agent-budget';
import { parseCheckpoint } from '../checkpoint';
import { Box, Discrete, MultiDiscrete } from '../envs/spaces';
import type { CandidateSpace } from '../search/space';
import { takePending, type AgentUpdate, type Feedback, type Proposal, type SearchAgent } from './agent';
import { PPO, type ActedStep, type PPOConfig, type PPODiagnostics } from './ppo';
import { layerwiseChoices, numericDiagnostics } from './strategy';

export type PpoMode = 'full' | 'layerwise';

/** PPO settings for NAS: each step is a trained network, so rollouts are short and updates frequent. */
export const NAS_PPO_DEFAULTS: Partial<PPOConfig> = {
  nSteps: NAS_PPO_ROLLOUT_STEPS,
  batchSize: 10,
  nEpochs: 10,
  learningRate: 3e-3,
  entCoef: 0.01,
  gamma: 1,
  gaeLambda: 1,
};

export interface PpoAgentOptions {
  space: CandidateSpace;
  mode: PpoMode;
  seed: number;
  ppo?: Partial<PPOConfig>;
}

const StepSchema = z.object({
  obs: z.array(z.number()),
  action: z.array(z.int().nonnegative()),
  logProb: z.number(),
  value: z.number(),
  masks: z.array(z.int().min(0).max(1)).nullable(),
});

const PpoAgentCheckpointSchema = z.object({
  kind: z.literal('ppo'),
  mode: z.enum(['full', 'layerwise']),
  ppo: z.unknown(),
  /** The steps of each candidate asked for and not yet told, by index. */
  pending: z.record(z.string(), z.array(StepSchema)),
});
export type PpoAgentCheckpoint = z.infer<typeof PpoAgentCheckpointSchema>;

export class PpoAgent implements SearchAgent {
  readonly name = 'ppo';
  readonly ppo: PPO;
  private readonly space: CandidateSpace;
  private readonly mode: PpoMode;
  private readonly pending = new Map<number, ActedStep[]>();

  constructor(options: PpoAgentOptions, checkpoint?: unknown) {
    this.space = options.space;
    this.mode = options.mode;
    const spec = ppoSpec(options.space, options.mode);
    if (checkpoint === undefined) {
      this.ppo = new PPO(spec, { ...NAS_PPO_DEFAULTS, ...options.ppo, seed: options.seed });
      return;
    }
    const c = parseCheckpoint(PpoAgentCheckpointSchema, checkpoint, 'PPO agent');
    if (c.mode !== options.mode) throw new Error(`PPO agent checkpoint is for ${c.mode} mode, not ${options.mode}`);
    this.ppo = PPO.fromCheckpoint(spec, c.ppo);
    for (const [index, steps] of Object.entries(c.pending)) {
      this.pending.set(
        Number(index),
        steps.map((s) => ({ obs: Float32Array.from(s.obs), action: s.action, logProb: s.logProb, value: s.value, masks: s.masks && Uint8Array.from(s.masks) })),
      );
    }
  }

  async ask(index: number): Promise<Proposal> {
    const steps: ActedStep[] = [];
    let action: number[];
    if (this.mode === 'full') {
      const step = this.ppo.act(this.firstObservation(), { slotMask: (prefix) => this.space.slotMask(prefix) });
      steps.push(step);
      action = step.action;
    } else {
      const prefix: number[] = [];
      do {
        const step = this.ppo.act(this.space.prefixFeatures(prefix), { actionMask: this.space.slotMask(prefix) });
        steps.push(step);
        prefix.push(step.action[0]);
      } while (!this.space.isComplete(prefix));
      action = this.space.complete(prefix);
    }
    this.pending.set(index, steps);
    return { action };
  }

  async tell(index: number, feedback: Feedback): Promise<AgentUpdate | undefined> {
    const steps = takePending(this.pending, index, 'PPO');
    let update: PPODiagnostics | undefined;
    steps.forEach((step, i) => {
      const last = i === steps.length - 1;
      const next = last ? this.firstObservation() : steps[i + 1].obs;
      update = this.ppo.record(step, last ? feedback.reward : 0, i === 0, last, next) ?? update;
    });
    if (!update) return undefined;
    return { iteration: update.iteration, diagnostics: numericDiagnostics(update), policy: this.policySnapshot() };
  }

  /**
   * The policy slot by slot along its most likely candidate: each slot's probabilities under the
   * space's mask, given the most likely values of the slots before it (see PolicySnapshotSchema).
   * Full mode reads every slot off the one constant observation; layer-wise mode asks the policy
   * at each step of the partial candidate, and the slots after the candidate ends are certain.
   */
  policySnapshot(): number[][] {
    const snapshot: number[][] = [];
    const prefix: number[] = [];
    for (let slot = 0; slot < this.space.nvec.length; slot++) {
      const mask = this.space.slotMask(prefix);
      let probs: number[];
      if (this.mode === 'full') probs = this.ppo.slotProbabilities(this.firstObservation(), slot, this.space.constrained ? mask : null);
      else if (this.space.isComplete(prefix)) probs = uniformOver(mask);
      else probs = this.ppo.slotProbabilities(this.space.prefixFeatures(prefix), 0, this.space.constrained ? mask : null);
      snapshot.push(probs.map((p) => Math.round(p * 1e4) / 1e4));
      prefix.push(probs.indexOf(Math.max(...probs)));
    }
    return snapshot;
  }

  checkpoint(): PpoAgentCheckpoint {
    const pending: PpoAgentCheckpoint['pending'] = {};
    for (const [index, steps] of this.pending) {
      pending[index] = steps.map((s) => ({ obs: Array.from(s.obs), action: s.action, logProb: s.logProb, value: s.value, masks: s.masks && Array.from(s.masks) }));
    }
    return { kind: 'ppo', mode: this.mode, ppo: this.ppo.checkpoint(), pending };
  }

  /** What an episode starts from: nothing in full mode, the empty candidate layer by layer. */
  private firstObservation(): Float32Array {
    return this.mode === 'full' ? new Float32Array(0) : this.space.prefixFeatures([]);
  }
}

/** Equal probabilities over the allowed values. */
function uniformOver(mask: readonly boolean[]): number[] {
  const allowed = mask.filter(Boolean).length;
  return mask.map((ok) => (ok ? 1 / allowed : 0));
}

/** The spaces PPO acts in for a candidate space, and whether it masks (see ppoSpec). */
export interface CandidatePpoSpec {
  observationSpace: Box;
  actionSpace: MultiDiscrete | Discrete;
  slotMask?: (prefix: readonly number[]) => boolean[];
  actionMasks?: () => boolean[];
}

/**
 * The spaces PPO acts in. Full: a constant (empty) observation and one categorical per slot, masked
 * slot by slot when the space constrains them. Layer-wise: the partial candidate's features and
 * one categorical over a slot's values, masked by the space.
 */
export function ppoSpec(space: CandidateSpace, mode: PpoMode): CandidatePpoSpec {
  if (mode === 'full') {
    return {
      observationSpace: new Box(0, 1, [0]),
      actionSpace: new MultiDiscrete(space.nvec),
      ...(space.constrained ? { slotMask: (prefix: readonly number[]) => space.slotMask(prefix) } : {}),
    };
  }
  return {
    observationSpace: new Box(0, 1, [space.prefixFeatureSize]),
    actionSpace: new Discrete(layerwiseChoices(space.nvec)),
    ...(space.constrained ? { actionMasks: () => [] } : {}),
  };
}
