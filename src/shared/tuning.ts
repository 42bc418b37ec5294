/**
 * The second mode's contract: a controller (a PPO agent) that watches one network train and steers its
 * hyperparameters. Shared by the engine (environment, controller), the history (SQLite rows), the CLI
 * (`tune learn|apply|list`) and the Tune view. Everything crossing a process boundary is parsed here once.
 */
import { z } from 'zod';
import { LayerSpecSchema } from './layers';
import { DATASET_NAMES, FolderImageSchema } from './run-config';
import { OPTIMIZERS } from './training';

// ── Hyperparameters and their bounds ─────────────────────────────────────────────────────────────

/** What the controller may change while a network trains; every change applies to the running model. */
export const HyperparametersSchema = z.strictObject({
  learningRate: z.number().gt(0).max(10),
  optimizer: z.enum(OPTIMIZERS),
  /** The rate of every Dropout layer of the model (a model without one ignores it). */
  dropout: z.number().min(0).max(0.9),
  /** L2 on kernels, as TrainingConfig.weightDecay. */
  weightDecay: z.number().min(0).max(1),
});
export type Hyperparameters = z.output<typeof HyperparametersSchema>;

/** Bounds that keep a steered run sane: a change past them is clamped to them. */
export const HYPERPARAMETER_BOUNDS = {
  learningRate: { min: 1e-5, max: 1 },
  dropout: { min: 0, max: 0.7 },
  weightDecay: { min: 0, max: 1e-2 },
} as const;
/** Weight decay switched on from zero starts here (×10 of zero would stay zero). */
export const WEIGHT_DECAY_START = 1e-5;

// ── The action ───────────────────────────────────────────────────────────────────────────────────

/** Each action component is an index into its list (a MultiDiscrete action for the PPO agent). */
export const LR_FACTORS = [0.1, 0.3, 1, 3, 10] as const;
/** 'keep', or switch to one of these (a switch starts the new optimizer with fresh state: moments are not carried over). */
export const OPTIMIZER_CHOICES = ['keep', 'momentum', 'adam', 'rmsprop'] as const;
export const DROPOUT_DELTAS = [-0.1, 0, 0.1] as const;
/** ×0 switches weight decay off; ×10 of zero switches it on at WEIGHT_DECAY_START. */
export const WEIGHT_DECAY_FACTORS = [0, 0.1, 1, 10] as const;

/** [intervene (0 no, 1 yes), lrFactor, optimizer, dropoutDelta, weightDecayFactor]: the controller's action space. */
export const CONTROL_ACTION_SIZES = [2, LR_FACTORS.length, OPTIMIZER_CHOICES.length, DROPOUT_DELTAS.length, WEIGHT_DECAY_FACTORS.length] as const;

export const ControlChangeSchema = z.strictObject({
  lrFactor: z.union(LR_FACTORS.map((f) => z.literal(f))),
  optimizer: z.enum(OPTIMIZER_CHOICES),
  dropoutDelta: z.union(DROPOUT_DELTAS.map((d) => z.literal(d))),
  weightDecayFactor: z.union(WEIGHT_DECAY_FACTORS.map((f) => z.literal(f))),
});
export type ControlChange = z.output<typeof ControlChangeSchema>;

// ── A task: one network on one dataset, trained for a few epochs ─────────────────────────────────

export const TUNING_DATASETS = DATASET_NAMES;

export const TuningTaskSchema = z.strictObject({
  /** A label for lists and charts (the architecture's name, or "sampled #3"). */
  name: z.string().min(1).max(200),
  layers: z.array(LayerSpecSchema).min(1).max(100),
  dataset: z.enum(TUNING_DATASETS),
  dataDir: z.string().optional(),
  image: FolderImageSchema.optional(),
  subset: z.int().min(10).optional(),
  epochs: z.int().min(1).max(200),
  batchSize: z.int().min(1).max(4096).default(64),
  /** Decision points per epoch: 1 = at each epoch's end; more = also every batches/n batches within it. */
  decisionsPerEpoch: z.int().min(1).max(100).default(1),
  /** Where an episode starts: the baseline schedules start here too. */
  initial: HyperparametersSchema.default({ learningRate: 1e-3, optimizer: 'adam', dropout: 0, weightDecay: 0 }),
});
export type TuningTask = z.output<typeof TuningTaskSchema>;
export type TuningTaskInput = z.input<typeof TuningTaskSchema>;

// ── What an episode reports ──────────────────────────────────────────────────────────────────────

/** One decision point: what the controller saw (summarised), decided, and earned. */
export const TuneDecisionSchema = z.strictObject({
  /** 0-based decision index within the episode. */
  step: z.int().min(0),
  /** Fraction of the episode's batches done, 0..1. */
  progress: z.number().min(0).max(1),
  epoch: z.int().min(1),
  /** The controller's probability of intervening, and the threshold it had to exceed. */
  interveneProbability: z.number().min(0).max(1),
  threshold: z.number().min(0).max(1),
  intervened: z.boolean(),
  /** The change made (absent when it did not intervene). */
  change: ControlChangeSchema.optional(),
  /** The hyperparameters in force after the decision. */
  hyperparameters: HyperparametersSchema,
  /** The reward for the interval that ended at this decision (normalised). */
  reward: z.number(),
});
export type TuneDecision = z.output<typeof TuneDecisionSchema>;

export const TuneEpochSchema = z.strictObject({
  epoch: z.int().min(1),
  trainLoss: z.number().nullable(),
  validLoss: z.number().nullable(),
  validAccuracy: z.number().min(0).max(1),
  /** In force at the epoch's end. */
  hyperparameters: HyperparametersSchema,
  seconds: z.number().min(0),
});
export type TuneEpoch = z.output<typeof TuneEpochSchema>;

/** How a model was trained: the controller's steering, or a fixed baseline schedule. */
export const SCHEDULES = ['controller', 'constant', 'cosine', 'step', 'best-constant'] as const;
export type ScheduleName = (typeof SCHEDULES)[number];

export const EpisodeOutcomeSchema = z.strictObject({
  status: z.enum(['completed', 'diverged', 'cancelled']),
  epochs: z.array(TuneEpochSchema),
  decisions: z.array(TuneDecisionSchema),
  finalValidAccuracy: z.number().min(0).max(1),
  /** On the dataset's test split, when the episode is an apply (learning episodes skip it). */
  testAccuracy: z.number().min(0).max(1).optional(),
  /** Sum of the episode's rewards, terminal term included. */
  return: z.number(),
  seconds: z.number().min(0),
});
export type EpisodeOutcome = z.output<typeof EpisodeOutcomeSchema>;

// ── Parallel learning episodes (worker processes) ────────────────────────────────────────────────

/**
 * One learning episode to run elsewhere: a copy of the controller (its checkpoint when the batch
 * started) steers `task`'s training, sampling with `seed`, and collects its steps instead of learning.
 */
export const EpisodeJobSchema = z.strictObject({
  task: TuningTaskSchema,
  seed: z.int().min(0),
  checkpoint: z.json(),
});
export type EpisodeJob = z.output<typeof EpisodeJobSchema>;

/** A decision taken while learning and what followed it: what PPO records, and what moves the threshold and the reward statistics. */
export const LearningStepSchema = z.strictObject({
  obs: z.array(z.number()),
  action: z.array(z.int().min(0)),
  logProb: z.number(),
  value: z.number(),
  /** The masks acted under (0/1 per logit). */
  masks: z.array(z.int().min(0).max(1)).nullable(),
  intervened: z.boolean(),
  /** P(intervene) under the policy of the copy. */
  probability: z.number().min(0).max(1),
  /** Fraction of the episode done when the decision was taken. */
  progress: z.number().min(0).max(1),
  /** Normalised by the copy's reward statistics, as the copy's environment gave it. */
  reward: z.number(),
  /** The accuracy gain of the interval; NaN (sent as null) when its loss diverged. */
  rawReward: z.number().nullable(),
  done: z.boolean(),
  nextObs: z.array(z.number()),
  episodeStart: z.boolean(),
});
export type LearningStep = z.output<typeof LearningStepSchema>;

/** A learning episode run elsewhere: its outcome and its steps in order. */
export const EpisodeRolloutSchema = z.strictObject({
  outcome: EpisodeOutcomeSchema,
  steps: z.array(LearningStepSchema),
});
export type EpisodeRollout = z.output<typeof EpisodeRolloutSchema>;

// ── Controllers and tuning sessions as the history keeps them ────────────────────────────────────

/** The most learning episodes a controller runs at once (each in a worker process). */
export const MAX_PARALLEL_EPISODES = 64;

export const ControllerSettingsSchema = z.strictObject({
  seed: z.int().min(0).default(0),
  /** Episodes to learn from, in total (a resumed learn counts those done). */
  episodes: z.int().min(1).max(100_000),
  /** 004's train_frequency_min/max: the controller updates after this many decisions, adapted to its progress. */
  trainFrequencyMin: z.int().min(2).max(10_000).default(16),
  trainFrequencyMax: z.int().min(2).max(10_000).default(128),
  /** 004's intervention threshold: where it starts, and its bounds as it adapts. */
  threshold: z.strictObject({ initial: z.number().min(0).max(1), min: z.number().min(0).max(1), max: z.number().min(0).max(1) }).default({ initial: 0.5, min: 0.2, max: 0.9 }),
  /** How many learning episodes run at once (in worker processes where more than 1). */
  parallelEpisodes: z.int().min(1).max(MAX_PARALLEL_EPISODES).default(1),
});
export type ControllerSettings = z.output<typeof ControllerSettingsSchema>;
export type ControllerSettingsInput = z.input<typeof ControllerSettingsSchema>;

export const CONTROLLER_STATUSES = ['learning', 'ready', 'stopped', 'failed'] as const;

export interface ControllerSummary {
  name: string;
  status: (typeof CONTROLLER_STATUSES)[number];
  createdAt: string;
  updatedAt: string;
  settings: ControllerSettings;
  tasks: TuningTask[];
  episodesDone: number;
  /** The controller's learning curve: one point per learning episode. */
  curve: { episode: number; task: string; return: number; finalValidAccuracy: number; interventions: number; threshold: number }[];
  error?: string;
}

export interface TuneSessionSummary {
  id: number;
  controller: string;
  task: TuningTask;
  status: 'running' | 'completed' | 'failed' | 'stopped';
  createdAt: string;
  /** One entry per schedule trained (the controller's and each baseline's). */
  schedules: { schedule: ScheduleName; seed: number; outcome?: EpisodeOutcome }[];
  error?: string;
}
