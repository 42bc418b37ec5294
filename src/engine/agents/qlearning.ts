/**
 * Tabular Q-learning over layer-wise states, as MetaQNN (Baker et al. 2017; bowenbaker/metaqnn):
 * a candidate is built one slot at a time, each choice epsilon-greedy on Q(state, value) (ties
 * broken at random) under the space's masks, where a state is what the space's layerState says
 * (the value just chosen, its depth and, for networks, the feature map's size bin). Q starts at 0.5;
 * epsilon follows MetaQNN's staged schedule scaled to the run's budget; learning rate 0.01, discount 1.
 * Every told candidate goes into a replay memory (one entry per architecture, MetaQNN's replay
 * dictionary), and after each tell `replaySamples` entries drawn uniformly are replayed, each
 * updating its trajectory backwards: Q(s_T, a_T) ← Q + α(r − Q), then
 * Q(s_i, a_i) ← Q + α(γ·max_{a valid in s_i+1} Q(s_i+1, a) − Q).
 */
import { z } from 'zod';
import { parseCheckpoint } from '../checkpoint';
import { createRng, type Rng } from '../random';
import type { CandidateSpace } from '../search/space';
import { takePending, type AgentUpdate, type Feedback, type Proposal, type SearchAgent } from './agent';
import { ExplorationStageSchema, METAQNN_STAGES, scaleStages, stagedValue, type ExplorationStage } from './common/schedule';
import { allowedValues, layerwiseChoices } from './strategy';

export interface QLearningSettings {
  learningRate: number;
  discount: number;
  /** Q-values before any update (MetaQNN's init_utility). */
  initialQ: number;
  /** Replayed entries after each tell (the paper's 100; its code uses 128). */
  replaySamples: number;
  /** Epsilon by candidates asked; the last stage's holds after. */
  stages: ExplorationStage[];
}

export interface QLearningOptions {
  space: CandidateSpace;
  seed: number;
  /** Candidates the run will evaluate: MetaQNN's stages are scaled to it (unless stages are given). */
  budget: number;
  settings?: Partial<QLearningSettings>;
}

/** One candidate's path: the state before each choice, the choice, and the values allowed there. */
const TrajectorySchema = z.object({ states: z.array(z.string()), actions: z.array(z.int().nonnegative()), allowed: z.array(z.array(z.int().nonnegative())) });
type Trajectory = z.infer<typeof TrajectorySchema>;

const QLearningCheckpointSchema = z.object({
  kind: z.literal('qlearning'),
  nActions: z.int().positive(),
  seed: z.int(),
  settings: z.object({ learningRate: z.number(), discount: z.number(), initialQ: z.number(), replaySamples: z.int().nonnegative(), stages: z.array(ExplorationStageSchema).min(1) }),
  rngState: z.int(),
  asked: z.int().nonnegative(),
  updates: z.int().nonnegative(),
  q: z.record(z.string(), z.array(z.number())),
  /** By architecture (its whole-candidate vector as JSON), in first-told order. */
  replay: z.array(z.object({ key: z.string(), trajectory: TrajectorySchema, reward: z.number() })),
  pending: z.record(z.string(), TrajectorySchema),
});
export type QLearningCheckpoint = z.infer<typeof QLearningCheckpointSchema>;

export class QLearningAgent implements SearchAgent {
  readonly name = 'qlearning';
  readonly settings: QLearningSettings;
  private readonly space: CandidateSpace;
  private readonly nActions: number;
  private readonly seed: number;
  private rng: Rng;
  private asked = 0;
  private updates = 0;
  private readonly q = new Map<string, Float64Array>();
  private readonly replay = new Map<string, { trajectory: Trajectory; reward: number }>();
  private readonly pending = new Map<number, Trajectory>();

  constructor(options: QLearningOptions, checkpoint?: unknown) {
    this.space = options.space;
    this.nActions = layerwiseChoices(options.space.nvec);
    if (checkpoint === undefined) {
      this.seed = options.seed;
      this.rng = createRng(options.seed);
      this.settings = { learningRate: 0.01, discount: 1, initialQ: 0.5, replaySamples: 100, stages: scaleStages(METAQNN_STAGES, options.budget), ...options.settings };
      return;
    }
    const c = parseCheckpoint(QLearningCheckpointSchema, checkpoint, 'Q-learning agent');
    if (c.nActions !== this.nActions) throw new Error(`Q-learning agent checkpoint has ${c.nActions} choices per slot, the space ${this.nActions}`);
    this.seed = c.seed;
    this.rng = createRng(c.seed, c.rngState);
    this.settings = c.settings;
    this.asked = c.asked;
    this.updates = c.updates;
    for (const [state, values] of Object.entries(c.q)) this.q.set(state, Float64Array.from(values));
    for (const { key, trajectory, reward } of c.replay) this.replay.set(key, { trajectory, reward });
    for (const [index, trajectory] of Object.entries(c.pending)) this.pending.set(Number(index), trajectory);
  }

  /** Epsilon for the next candidate. */
  epsilon(): number {
    return stagedValue(this.settings.stages, this.asked);
  }

  /** Q(state, ·), created at initialQ on first sight. */
  values(state: string): Float64Array {
    let row = this.q.get(state);
    if (!row) {
      row = new Float64Array(this.nActions).fill(this.settings.initialQ);
      this.q.set(state, row);
    }
    return row;
  }

  async ask(index: number): Promise<Proposal> {
    const epsilon = this.epsilon();
    this.asked += 1;
    const trajectory: Trajectory = { states: [], actions: [], allowed: [] };
    const prefix: number[] = [];
    do {
      const state = this.space.layerState(prefix);
      const allowed = allowedValues(this.space.slotMask(prefix));
      const action = this.rng.next() < epsilon ? allowed[this.rng.int(allowed.length)] : this.greedy(state, allowed);
      trajectory.states.push(state);
      trajectory.actions.push(action);
      trajectory.allowed.push(allowed);
      prefix.push(action);
    } while (!this.space.isComplete(prefix));
    this.pending.set(index, trajectory);
    return { action: this.space.complete(prefix) };
  }

  /** The allowed value with the highest Q, ties broken uniformly (as MetaQNN). */
  private greedy(state: string, allowed: readonly number[]): number {
    const q = this.values(state);
    const best = Math.max(...allowed.map((a) => q[a]));
    const ties = allowed.filter((a) => q[a] === best);
    return ties[this.rng.int(ties.length)];
  }

  async tell(index: number, feedback: Feedback): Promise<AgentUpdate | undefined> {
    const trajectory = takePending(this.pending, index, 'Q-learning');
    this.replay.set(JSON.stringify(feedback.action), { trajectory, reward: feedback.reward });
    const memory = [...this.replay.values()];
    let change = 0;
    for (let k = 0; k < this.settings.replaySamples; k++) {
      const { trajectory: t, reward } = memory[this.rng.int(memory.length)];
      change += this.updateSequence(t, reward);
    }
    this.updates += 1;
    const samples = Math.max(1, this.settings.replaySamples);
    return { iteration: this.updates, diagnostics: { epsilon: this.epsilon(), replaySize: memory.length, states: this.q.size, meanAbsQChange: change / samples } };
  }

  /** MetaQNN's update_q_value_sequence: the last choice toward the reward, then backwards. Returns Σ|ΔQ|. */
  private updateSequence(t: Trajectory, reward: number): number {
    const { learningRate: alpha, discount } = this.settings;
    let change = 0;
    for (let i = t.states.length - 1; i >= 0; i--) {
      const last = i === t.states.length - 1;
      const next = last ? 0 : Math.max(...t.allowed[i + 1].map((a) => this.values(t.states[i + 1])[a]));
      const q = this.values(t.states[i]);
      const delta = alpha * ((last ? reward : 0) + (last ? 0 : discount * next) - q[t.actions[i]]);
      q[t.actions[i]] += delta;
      change += Math.abs(delta);
    }
    return change;
  }

  checkpoint(): QLearningCheckpoint {
    return {
      kind: 'qlearning',
      nActions: this.nActions,
      seed: this.seed,
      settings: { ...this.settings, stages: this.settings.stages.map((s) => ({ ...s })) },
      rngState: this.rng.state(),
      asked: this.asked,
      updates: this.updates,
      q: Object.fromEntries([...this.q].map(([state, values]) => [state, Array.from(values)])),
      replay: [...this.replay].map(([key, { trajectory, reward }]) => ({ key, trajectory: structuredClone(trajectory), reward })),
      pending: Object.fromEntries([...this.pending].map(([index, trajectory]) => [index, structuredClone(trajectory)])),
    };
  }
}
