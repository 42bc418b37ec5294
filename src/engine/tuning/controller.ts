/**
 * The controller: the existing PPO agent (agents/ppo) over the MultiDiscrete action
 * CONTROL_ACTION_SIZES = [intervene, lrFactor, optimizer, dropoutDelta, weightDecayFactor], with the
 * intervention threshold (threshold.ts), the reward normalisation (reward.ts) and an update
 * frequency that adapts to its progress, all in one JSON checkpoint.
 *
 * Acting. P(intervene) is the policy's probability of slot 0 = 1. Applied (learn false), the
 * controller intervenes iff P(intervene) > threshold, with the most probable value of each other
 * slot. Learning, it samples its action from the policy, on-policy as PPO needs: gating the samples
 * by the threshold would leave every intervention below it untried and unlearned (an earlier
 * attempt's controller stayed passive that way). An untrained policy intervenes with probability
 * about 0.5, so it explores interventions from the first episode; the threshold meanwhile learns
 * from every intervention where to cut (threshold.ts). When slot 0 is "no", slots 1…4 are masked
 * to their neutral values (sb3-contrib's masks, stored and re-applied in training), so choices that
 * were not made add nothing to the log-probability and get no gradient.
 *
 * Parallel episodes (parallel-episodes.ts): a copy restored from the checkpoint of a batch's start
 * collects its steps (collectSteps) while a worker trains the episode; the controller then learns
 * from each rollout in turn (learnFrom), exactly as if it had taken those steps itself, except that
 * they were sampled from the policy of the batch's start (PPO's clipped ratio covers the gap).
 *
 * Update frequency (004's train_frequency_min/max): PPO trains after `frequency` decisions, which
 * starts at trainFrequencyMin. After each update the mean return of the episodes finished since the
 * previous one is compared with the mean before it: while it improves the frequency shrinks by ×1/1.5
 * (update more often), when it does not it grows by ×1.5 (update less often), within [min, max].
 */
import { z } from 'zod';
import {
  CONTROL_ACTION_SIZES,
  ControllerSettingsSchema,
  type ControlChange,
  type ControllerSettings,
  type ControllerSettingsInput,
  type EpisodeRollout,
  type LearningStep,
} from '../../shared/tuning';
import { PPO, type ActedStep, type PPOConfig } from '../agents/ppo';
import { Box, MultiDiscrete } from '../envs/spaces';
import { decodeChange, NEUTRAL_CHOICES } from './hyperparameters';
import { OBSERVATION_SIZE } from './observation';
import { RewardNormalizer, RewardNormalizerSchema } from './reward';
import { InterventionThreshold, ThresholdStateSchema } from './threshold';

/** PPO's settings for the controller: small rollouts (decisions are expensive), some entropy to keep exploring. */
export const CONTROLLER_PPO: Partial<PPOConfig> = {
  learningRate: 3e-4,
  nEpochs: 10,
  gamma: 0.99,
  gaeLambda: 0.95,
  entCoef: 0.01,
  useMasking: true,
};
const FREQUENCY_FACTOR = 1.5;

export const ControllerCheckpointSchema = z.strictObject({
  format: z.literal('gennerator-controller'),
  version: z.literal(1),
  settings: ControllerSettingsSchema,
  /** PPO's own checkpoint (validated by PPO when restored). */
  ppo: z.unknown(),
  rewards: RewardNormalizerSchema,
  threshold: ThresholdStateSchema,
  counters: z.strictObject({ episodes: z.int().min(0), decisions: z.int().min(0), interventions: z.int().min(0), updates: z.int().min(0) }),
  frequency: z.strictObject({
    current: z.int().min(1),
    sinceUpdate: z.int().min(0),
    /** Returns of the episodes finished since the last update. */
    returns: z.array(z.number()),
    /** Their mean at the last update (null before one). */
    lastMean: z.number().nullable(),
  }),
});
export type ControllerCheckpoint = z.output<typeof ControllerCheckpointSchema>;

/** One decision of the controller, before its reward is known. */
export interface ControllerDecision {
  intervened: boolean;
  change?: ControlChange;
  /** P(intervene) under the policy. */
  probability: number;
  /** The threshold as it stood (without the exploration margin). */
  threshold: number;
  /** Present when learning: what PPO records once the reward is known. */
  acted?: ActedStep;
  /** Fraction of the episode done when it was taken. */
  progress: number;
}

const spec = () => ({
  observationSpace: new Box(-2, 2, [OBSERVATION_SIZE]),
  actionSpace: new MultiDiscrete(CONTROL_ACTION_SIZES),
  // Declared so PPO samples slot by slot under masks (the masks themselves come with each act()).
  slotMask: (prefix: readonly number[]) => new Array<boolean>(CONTROL_ACTION_SIZES[prefix.length]).fill(true),
});

export class Controller {
  readonly settings: ControllerSettings;
  readonly ppo: PPO;
  readonly rewards: RewardNormalizer;
  readonly threshold: InterventionThreshold;
  episodes = 0;
  decisions = 0;
  interventions = 0;
  updates = 0;
  private frequency: number;
  private sinceUpdate = 0;
  private returns: number[] = [];
  private lastMean: number | null = null;
  /** Set on a copy that collects its steps for another controller to learn from. */
  private collected?: LearningStep[];

  private constructor(settings: ControllerSettings, ppo: PPO, checkpoint?: ControllerCheckpoint) {
    this.settings = settings;
    this.ppo = ppo;
    this.rewards = new RewardNormalizer(checkpoint?.rewards);
    this.threshold = checkpoint ? InterventionThreshold.restore(checkpoint.threshold) : new InterventionThreshold(settings.threshold);
    this.frequency = checkpoint?.frequency.current ?? settings.trainFrequencyMin;
    if (checkpoint) {
      ({ episodes: this.episodes, decisions: this.decisions, interventions: this.interventions, updates: this.updates } = checkpoint.counters);
      this.sinceUpdate = checkpoint.frequency.sinceUpdate;
      this.returns = [...checkpoint.frequency.returns];
      this.lastMean = checkpoint.frequency.lastMean;
    }
  }

  static create(settings: ControllerSettingsInput): Controller {
    const parsed = ControllerSettingsSchema.safeParse(settings);
    if (!parsed.success) throw new Error(`invalid controller settings: ${z.prettifyError(parsed.error)}`);
    const s = parsed.data;
    if (s.trainFrequencyMin > s.trainFrequencyMax) throw new Error(`invalid controller settings: trainFrequencyMin ${s.trainFrequencyMin} is above trainFrequencyMax ${s.trainFrequencyMax}`);
    if (s.threshold.min > s.threshold.max) throw new Error(`invalid controller settings: threshold.min ${s.threshold.min} is above threshold.max ${s.threshold.max}`);
    const ppo = new PPO(spec(), { ...CONTROLLER_PPO, nSteps: s.trainFrequencyMax, batchSize: Math.min(32, s.trainFrequencyMin), seed: s.seed });
    return new Controller(s, ppo);
  }

  /** A controller from checkpoint() (or its JSON): the error names what is wrong. */
  static restore(checkpoint: unknown): Controller {
    const parsed = ControllerCheckpointSchema.safeParse(checkpoint);
    if (!parsed.success) throw new Error(`invalid controller checkpoint: ${z.prettifyError(parsed.error)}`);
    let ppo: PPO;
    try {
      ppo = PPO.fromCheckpoint(spec(), parsed.data.ppo);
    } catch (error) {
      throw new Error(`invalid controller checkpoint: ppo: ${(error as Error).message}`);
    }
    return new Controller(parsed.data.settings, ppo, parsed.data);
  }

  /** Everything to continue exactly: JSON-serialisable. */
  checkpoint(): ControllerCheckpoint {
    return {
      format: 'gennerator-controller',
      version: 1,
      settings: this.settings,
      ppo: this.ppo.checkpoint(),
      rewards: this.rewards.state(),
      threshold: this.threshold.state(),
      counters: { episodes: this.episodes, decisions: this.decisions, interventions: this.interventions, updates: this.updates },
      frequency: { current: this.frequency, sinceUpdate: this.sinceUpdate, returns: [...this.returns], lastMean: this.lastMean },
    };
  }

  /** Decisions between PPO updates now. */
  get updateFrequency(): number {
    return this.frequency;
  }

  /** P(intervene) for an observation. */
  interveneProbability(obs: Float32Array): number {
    return this.ppo.slotProbabilities(obs, 0, null)[1];
  }

  decide(obs: Float32Array, options: { learn: boolean; progress: number }): ControllerDecision {
    if (obs.length !== OBSERVATION_SIZE) throw new Error(`controller: an observation has ${OBSERVATION_SIZE} values, got ${obs.length}`);
    const probability = this.interveneProbability(obs);
    const threshold = this.threshold.value;
    const base = { probability, threshold, progress: options.progress };
    if (!options.learn) {
      if (!this.threshold.allows(probability)) return { ...base, intervened: false };
      const action = [1, ...CONTROL_ACTION_SIZES.slice(1).map((_, i) => argmax(this.ppo.slotProbabilities(obs, i + 1, null)))];
      return { ...base, intervened: true, change: decodeChange(action) };
    }
    const acted = this.ppo.act(obs, {
      slotMask: (prefix) => {
        if (prefix.length === 0) return [true, true];
        const size = CONTROL_ACTION_SIZES[prefix.length];
        if (prefix[0] === 1) return new Array<boolean>(size).fill(true);
        return Array.from({ length: size }, (_, j) => j === NEUTRAL_CHOICES[prefix.length - 1]);
      },
    });
    const intervened = acted.action[0] === 1;
    return { ...base, intervened, change: intervened ? decodeChange(acted.action) : undefined, acted };
  }

  /**
   * What followed a decision taken with learn true: PPO records it (training when its frequency is
   * reached), an intervention is judged against the running mean at its stage and moves the threshold.
   * A copy that collects keeps the step instead (takeCollected).
   */
  record(decision: ControllerDecision, outcome: { reward: number; rawReward: number; done: boolean; obs: Float32Array }, episodeStart: boolean): void {
    if (!decision.acted) throw new Error('controller.record: the decision was not taken while learning');
    const { acted } = decision;
    const { reward, rawReward, done, obs } = outcome;
    const step: Step = { acted, intervened: decision.intervened, probability: decision.probability, progress: decision.progress, reward, rawReward, done, obs, episodeStart };
    if (this.collected) this.collected.push(toLearningStep(step));
    else this.learn(step);
  }

  /** This copy collects its learning steps instead of learning from them, drawing its actions with `seed`. */
  collectSteps(seed: number): void {
    this.collected = [];
    this.ppo.reseed(seed);
  }

  /** The steps collected since collectSteps (and starts a new list). */
  takeCollected(): LearningStep[] {
    if (!this.collected) throw new Error('controller.takeCollected: this controller learns; it does not collect');
    const steps = this.collected;
    this.collected = [];
    return steps;
  }

  /**
   * Learns from an episode a copy ran (parallel episodes): the reward statistics take its raw
   * rewards as the copy's environment gave them, each step is recorded as record() would, and a
   * finished episode counts.
   */
  learnFrom(rollout: EpisodeRollout): void {
    if (this.collected) throw new Error('controller.learnFrom: this copy collects steps; learn on the controller it was copied from');
    for (const s of rollout.steps) {
      const rawReward = s.rawReward ?? Number.NaN;
      if (Number.isFinite(rawReward)) this.rewards.push(rawReward, s.progress);
      const acted: ActedStep = { obs: Float32Array.from(s.obs), action: s.action, logProb: s.logProb, value: s.value, masks: s.masks && Uint8Array.from(s.masks) };
      this.learn({ acted, intervened: s.intervened, probability: s.probability, progress: s.progress, reward: s.reward, rawReward, done: s.done, obs: Float32Array.from(s.nextObs), episodeStart: s.episodeStart });
    }
    if (rollout.outcome.status !== 'cancelled') this.finishEpisode(rollout.outcome.return);
  }

  private learn(step: Step): void {
    this.decisions += 1;
    if (step.intervened) {
      this.interventions += 1;
      this.threshold.judge(step.rawReward, this.rewards.meanAt(step.progress), step.probability);
    }
    const trained = this.ppo.record(step.acted, step.reward, step.episodeStart, step.done, step.obs);
    this.sinceUpdate += 1;
    if (trained) this.updated();
    else if (this.sinceUpdate >= this.frequency && this.ppo.updateNow()) this.updated();
  }

  /** An episode learned from has ended with this return. */
  finishEpisode(episodeReturn: number): void {
    this.episodes += 1;
    if (Number.isFinite(episodeReturn)) this.returns.push(episodeReturn);
  }

  private updated(): void {
    this.updates += 1;
    this.sinceUpdate = 0;
    if (this.returns.length === 0) return;
    const mean = this.returns.reduce((a, b) => a + b, 0) / this.returns.length;
    const { trainFrequencyMin: min, trainFrequencyMax: max } = this.settings;
    if (this.lastMean !== null) {
      const next = mean > this.lastMean ? this.frequency / FREQUENCY_FACTOR : this.frequency * FREQUENCY_FACTOR;
      this.frequency = Math.max(min, Math.min(max, Math.round(next)));
    }
    this.lastMean = mean;
    this.returns = [];
  }
}

/** A decision taken while learning and what followed it. */
interface Step {
  acted: ActedStep;
  intervened: boolean;
  probability: number;
  progress: number;
  reward: number;
  rawReward: number;
  done: boolean;
  /** The observation after the interval. */
  obs: Float32Array;
  episodeStart: boolean;
}

/** A step as JSON: a diverged interval's NaN raw reward as null, and its non-finite observations as 0 (a done step's next observation is not bootstrapped from). */
function toLearningStep(step: Step): LearningStep {
  const finite = (values: Float32Array) => Array.from(values, (x) => (Number.isFinite(x) ? x : 0));
  return {
    obs: finite(step.acted.obs),
    action: [...step.acted.action],
    logProb: step.acted.logProb,
    value: step.acted.value,
    masks: step.acted.masks && Array.from(step.acted.masks),
    intervened: step.intervened,
    probability: step.probability,
    progress: step.progress,
    reward: step.reward,
    rawReward: Number.isFinite(step.rawReward) ? step.rawReward : null,
    done: step.done,
    nextObs: finite(step.obs),
    episodeStart: step.episodeStart,
  };
}

function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
