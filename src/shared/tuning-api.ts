/**
 * The Tune view's side of the renderer API (src/shared/api.ts): how a page names a model to tune, the
 * parameters of `tuning.learn` / `tuning.apply` / `tuning.stop`, and the live updates main pushes while
 * a controller learns or steers a network. Parsed in main like every other call's parameters.
 */
import { z } from 'zod';
import { LayerSpecSchema } from './layers';
import {
  ControllerSettingsSchema,
  SCHEDULES,
  TuningTaskSchema,
  type ControllerSummary,
  type EpisodeOutcome,
  type ScheduleName,
  type TuneDecision,
  type TuneEpoch,
  type TuneSessionSummary,
} from './tuning';

/** As the history stores it: trimmed, 1–100 characters. */
export const ControllerNameSchema = z.string().trim().min(1, 'a controller needs a name').max(100, 'a controller name may have at most 100 characters');

/** The network to train: an architecture the page holds (a file it read, JSON pasted), or a candidate of a past run. */
export const TuneModelSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('layers'), name: z.string().trim().min(1).max(200), layers: z.array(LayerSpecSchema).min(1).max(100) }),
  z.strictObject({ kind: z.literal('candidate'), runId: z.string().min(1).max(100), index: z.int().min(0) }),
]);
export type TuneModel = z.output<typeof TuneModelSchema>;
export type TuneModelInput = z.input<typeof TuneModelSchema>;

/**
 * A task without its network: the dataset and how long and how often the controller decides. Its
 * `initial.dropout` is not used: each network starts at its own (its first Dropout layer's rate).
 */
export const TuneTrainingSchema = TuningTaskSchema.omit({ name: true, layers: true });
export type TuneTraining = z.output<typeof TuneTrainingSchema>;

/** Networks sampled from a saved action set (as the random search samples them), instead of listed ones. */
export const TuneSampleSchema = z.strictObject({ actionSetId: z.int().min(1), count: z.int().min(1).max(50) });
export type TuneSample = z.output<typeof TuneSampleSchema>;

/** The schedules a controller is compared with (each trained at the same epochs and seeds). */
export const BASELINE_SCHEDULES = SCHEDULES.filter((s): s is Exclude<ScheduleName, 'controller'> => s !== 'controller');
export type BaselineSchedule = (typeof BASELINE_SCHEDULES)[number];

export const TuneLearnParamsSchema = z.strictObject({
  name: ControllerNameSchema,
  /** The networks it learns on (each with `training`), or `sample`; neither when resuming a controller that has its tasks. */
  models: z.array(TuneModelSchema).min(1).max(50).optional(),
  sample: TuneSampleSchema.optional(),
  training: TuneTrainingSchema.optional(),
  settings: ControllerSettingsSchema.optional(),
  /** Continue a stopped (or interrupted) controller from its last episode, up to `episodes` in total. */
  resume: z.boolean().default(false),
  episodes: z.int().min(1).max(100_000).optional(),
});

export const TuneApplyParamsSchema = z.strictObject({
  controller: ControllerNameSchema,
  model: TuneModelSchema,
  training: TuneTrainingSchema,
  baselines: z.array(z.enum(BASELINE_SCHEDULES)).max(BASELINE_SCHEDULES.length).default(['constant', 'cosine']),
  seeds: z.array(z.int().min(0)).min(1).max(20).default([0]),
  fineTuneEpisodes: z.int().min(0).max(100).default(0),
});

/** A learning controller (by name) or a tuning session (by id): what `tuning.stop` stops and what updates are about. */
export const TuneJobSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('learn'), controller: ControllerNameSchema }),
  z.strictObject({ kind: z.literal('apply'), sessionId: z.int().min(1) }),
]);
export type TuneJob = z.output<typeof TuneJobSchema>;

export function sameJob(a: TuneJob, b: TuneJob): boolean {
  return a.kind === 'learn' ? b.kind === 'learn' && a.controller === b.controller : b.kind === 'apply' && a.sessionId === b.sessionId;
}

export function jobLabel(job: TuneJob): string {
  return job.kind === 'learn' ? `controller "${job.controller}"` : `tuning session ${job.sessionId}`;
}

/** Which training a live point belongs to: a schedule and seed, and for learning the episode (1-based). */
export interface TuneTrack {
  schedule: ScheduleName;
  seed: number;
  episode?: number;
  /** The task's name (learning cycles through several). */
  task?: string;
}

export type TuneStatus = ControllerSummary['status'] | TuneSessionSummary['status'];

/** What main pushes while a controller learns or steers (besides the rows it writes). */
export type TuneUpdate =
  /** The job's status: started, finished, stopped or failed (with why). */
  | { job: TuneJob; kind: 'status'; status: TuneStatus; error?: string }
  /** An epoch of the training in progress. */
  | { job: TuneJob; kind: 'epoch'; track: TuneTrack; epoch: TuneEpoch }
  /** A decision of the controller in the training in progress. */
  | { job: TuneJob; kind: 'decision'; track: TuneTrack; decision: TuneDecision }
  /** A learning episode finished and was recorded with the controller's checkpoint. */
  | { job: TuneJob; kind: 'episode'; point: ControllerSummary['curve'][number] }
  /** One schedule of an apply finished and was recorded. */
  | { job: TuneJob; kind: 'schedule'; schedule: ScheduleName; seed: number; outcome: EpisodeOutcome };
