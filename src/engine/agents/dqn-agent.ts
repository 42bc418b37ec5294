/**
 * DQN as a search agent: each candidate is one layer-wise episode over the candidate space (one
 * slot per step, seeing the partial candidate's features, choosing under the space's masks), the
 * reward on its last step. Asked candidates keep their steps until told, in any order; a told
 * episode's transitions then go into DQN's replay buffer, and DQN trains whenever its train_freq
 * says (SB3's semantics), the bootstrap's max over the next step's allowed values.
 */
import { z } from 'zod';
import { parseCheckpoint } from '../checkpoint';
import { Box, Discrete } from '../envs/spaces';
import type { CandidateSpace } from '../search/space';
import { takePending, type AgentUpdate, type Feedback, type Proposal, type SearchAgent } from './agent';
import { DQN, type DQNConfig, type DQNDiagnostics } from './dqn';
import { layerwiseChoices, numericDiagnostics } from './strategy';

/**
 * DQN settings for NAS, where every episode is a trained network: a small replay, training after
 * every candidate, the target copied every few candidates, and epsilon falling linearly to 0.2 over
 * the first half of the run's steps (the horizon is the budget times the slots per candidate).
 * Tuned on NAS-Bench-201 CIFAR-10 (bench/nb201.ts).
 */
export const NAS_DQN_DEFAULTS: Partial<DQNConfig> = {
  learningRate: 3e-3,
  bufferSize: 10_000,
  learningStarts: 60,
  batchSize: 32,
  gamma: 1,
  trainFreq: 1,
  trainFreqUnit: 'episode',
  gradientSteps: 8,
  targetUpdateInterval: 60,
  explorationFraction: 0.5,
  // Higher than SB3's 0.05: a candidate is several choices, and a repeated one teaches nothing new.
  explorationFinalEps: 0.2,
};

export interface DqnAgentOptions {
  space: CandidateSpace;
  seed: number;
  /** Candidates the run will evaluate: the horizon of DQN's linear schedules. */
  budget: number;
  dqn?: Partial<DQNConfig>;
}

const StepSchema = z.object({ obs: z.array(z.number()), action: z.int().nonnegative(), mask: z.array(z.int().min(0).max(1)) });
type Step = { obs: Float32Array; action: number; mask: Uint8Array };

const DqnAgentCheckpointSchema = z.object({
  kind: z.literal('dqn'),
  dqn: z.unknown(),
  /** The steps of each candidate asked for and not yet told, by index. */
  pending: z.record(z.string(), z.array(StepSchema)),
});
export type DqnAgentCheckpoint = z.infer<typeof DqnAgentCheckpointSchema>;

/**
 * What the Q-network sees of a partial candidate: each chosen slot's value one-hot (the space's
 * own features scale values to [0, 1], an order a small network reads poorly), then the space's
 * features (the feature map's shape for networks).
 */
function observe(space: CandidateSpace, prefix: readonly number[]): Float32Array {
  const n = space.nvec[0];
  const obs = new Float32Array(observationSize(space));
  prefix.forEach((value, slot) => (obs[slot * n + value] = 1));
  obs.set(space.prefixFeatures(prefix), space.nvec.length * n);
  return obs;
}

const observationSize = (space: CandidateSpace) => space.nvec.length * space.nvec[0] + space.prefixFeatureSize;

const toMask = (allowed: readonly boolean[]) => Uint8Array.from(allowed, (ok) => (ok ? 1 : 0));

export class DqnAgent implements SearchAgent {
  readonly name = 'dqn';
  readonly dqn: DQN;
  private readonly space: CandidateSpace;
  private readonly pending = new Map<number, Step[]>();

  constructor(options: DqnAgentOptions, checkpoint?: unknown) {
    this.space = options.space;
    const spec = {
      observationSpace: new Box(0, 1, [observationSize(options.space)]),
      actionSpace: new Discrete(layerwiseChoices(options.space.nvec)),
      // The masks come with each step (the space's slotMask); this only switches masking on.
      ...(options.space.constrained ? { actionMasks: () => [] } : {}),
    };
    if (checkpoint === undefined) {
      this.dqn = new DQN(spec, { ...NAS_DQN_DEFAULTS, ...options.dqn, seed: options.seed });
      this.dqn.totalTimesteps = options.budget * options.space.nvec.length;
      return;
    }
    const c = parseCheckpoint(DqnAgentCheckpointSchema, checkpoint, 'DQN agent');
    this.dqn = DQN.fromCheckpoint(spec, c.dqn);
    for (const [index, steps] of Object.entries(c.pending)) {
      this.pending.set(
        Number(index),
        steps.map((s) => ({ obs: Float32Array.from(s.obs), action: s.action, mask: Uint8Array.from(s.mask) })),
      );
    }
  }

  async ask(index: number): Promise<Proposal> {
    const steps: Step[] = [];
    const prefix: number[] = [];
    do {
      const obs = observe(this.space, prefix);
      const mask = toMask(this.space.slotMask(prefix));
      const action = this.dqn.act(obs, mask);
      steps.push({ obs, action, mask });
      prefix.push(action);
    } while (!this.space.isComplete(prefix));
    this.pending.set(index, steps);
    return { action: this.space.complete(prefix) };
  }

  async tell(index: number, feedback: Feedback): Promise<AgentUpdate | undefined> {
    const steps = takePending(this.pending, index, 'DQN');
    let update: DQNDiagnostics | undefined;
    steps.forEach((step, i) => {
      const last = i === steps.length - 1;
      const next = last ? observe(this.space, steps.map((s) => s.action)) : steps[i + 1].obs;
      const reward = last ? feedback.reward : 0;
      update = this.dqn.record({ obs: step.obs, action: step.action, reward, nextObs: next, terminated: last, truncated: false, nextMask: last ? null : steps[i + 1].mask }) ?? update;
    });
    return update && { iteration: update.iteration, diagnostics: numericDiagnostics(update) };
  }

  checkpoint(): DqnAgentCheckpoint {
    const pending: DqnAgentCheckpoint['pending'] = {};
    for (const [index, steps] of this.pending) pending[index] = steps.map((s) => ({ obs: Array.from(s.obs), action: s.action, mask: Array.from(s.mask) }));
    return { kind: 'dqn', dqn: this.dqn.checkpoint(), pending };
  }
}
