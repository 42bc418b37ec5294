/**
 * Messages between the main process and the engine process (Electron utilityProcess, or a Node
 * child process under the CLI and tests). The engine is a separate process, so nothing it sends is
 * trusted by type alone: the receiver parses every message with these schemas on arrival.
 *
 */
import { z } from 'zod';
import { BACKEND_NAMES, type BackendReport } from './backend';
import { EpochMetricsSchema, SearchEventSchema } from './events';
import { RunConfigSchema } from './run-config';
import { ControllerSettingsSchema, EpisodeOutcomeSchema, SCHEDULES, TuneDecisionSchema, TuneEpochSchema, TuningTaskSchema } from './tuning';
import { BASELINE_SCHEDULES } from './tuning-api';

const backendNameSchema = z.enum(BACKEND_NAMES);

export const backendProbeSchema = z.object({
  name: backendNameSchema,
  available: z.boolean(),
  reason: z.string().optional(),
  device: z.string().optional(),
  autoSkip: z.string().optional(),
});

/** Runtime validator for {@link BackendReport}; the interface in backend.ts stays the source of truth. */
export const backendReportSchema = z.object({
  name: backendNameSchema,
  tfBackend: z.string(),
  device: z.string(),
  probes: z.array(backendProbeSchema),
});

// Fails to compile if the schema and the interface drift apart (in either direction).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _reportSchemaMatches: Same<z.infer<typeof backendReportSchema>, BackendReport> = true;
void _reportSchemaMatches;


/** An earlier result under the same training settings: the engine reuses it instead of training. */
export const cachedOutcomeSchema = z.strictObject({
  hash: z.string().min(1),
  status: z.enum(['completed', 'diverged', 'failed']),
  signal: z.number(),
  params: z.number().optional(),
  testAccuracy: z.number().optional(),
  error: z.string().optional(),
  epochs: z.array(EpochMetricsSchema),
});
export type CachedOutcome = z.infer<typeof cachedOutcomeSchema>;

/** An earlier run's result over the same search space and settings: a warm start's data for the agent. */
export const warmStartResultSchema = z.strictObject({
  action: z.array(z.int().min(0)).min(1),
  signal: z.number(),
});
export type WarmStartResult = z.infer<typeof warmStartResultSchema>;

/** A trained model in tfjs layers form; the weights travel as base64 (JSON-safe on every channel). */
export const modelMessageSchema = z.strictObject({
  topology: z.record(z.string(), z.json()),
  weightSpecs: z.array(z.strictObject({ name: z.string(), shape: z.array(z.int().min(0)), dtype: z.enum(['float32', 'int32', 'bool']) })),
  weightData: z.base64(),
});
export type ModelMessage = z.infer<typeof modelMessageSchema>;

/** Which training a tune message is about: a schedule and seed (and for a learning episode, its number and task). */
const tuneTrackSchema = z.strictObject({ schedule: z.enum(SCHEDULES), seed: z.int().min(0), episode: z.int().min(1).optional(), task: z.string().optional() });

/** Engine → main while a controller learns or steers (the second mode); main writes the rows and pushes updates. */
const tuneToMainSchemas = [
  /** An epoch of the training in progress. */
  z.strictObject({ type: z.literal('tune_epoch'), track: tuneTrackSchema, epoch: TuneEpochSchema }),
  /** A decision of the controller in the training in progress. */
  z.strictObject({ type: z.literal('tune_decision'), track: tuneTrackSchema, decision: TuneDecisionSchema }),
  /** A learning episode finished (1-based, the controller's next), with the controller's checkpoint after it. */
  z.strictObject({ type: z.literal('tune_episode'), episode: z.int().min(1), task: z.string(), outcome: EpisodeOutcomeSchema, checkpoint: z.json() }),
  /** One schedule of an apply finished. */
  z.strictObject({ type: z.literal('tune_schedule'), schedule: z.enum(SCHEDULES), seed: z.int().min(0), outcome: EpisodeOutcomeSchema }),
  /** The job ended: every episode or schedule done, or stopped when told (what finished is recorded). The engine exits after it. */
  z.strictObject({ type: z.literal('tune_finished'), status: z.enum(['completed', 'stopped']) }),
] as const;

/** Engine → main. */
export const engineToMainSchema = z.discriminatedUnion('type', [
  /** The process is up and listening (it initialises TensorFlow.js only when given work). */
  z.strictObject({ type: z.literal('ready') }),
  /** Answer to `probe`. */
  z.strictObject({ type: z.literal('backend'), backend: backendReportSchema }),
  /**
   * The run's backend is up and its data loaded; `settingsKey` identifies comparable results (the
   * cache key). With a `cacheScope` or `warmStart` the engine waits for a `cache` reply before it
   * starts, and main sends one exactly then: with a cacheScope, the earlier results of every run
   * under these settings or of this run alone; with warmStart, those of the other runs under these
   * settings over the same search space (searchSpaceKey). The engine alone decides which runs reuse
   * which results, and asks for a warm start only when a run begins (never on resume: its
   * checkpoint holds what the warm start gave).
   */
  z.strictObject({
    type: z.literal('prepared'),
    backend: backendReportSchema,
    settingsKey: z.string().min(1),
    description: z.string(),
    cacheScope: z.enum(['settings', 'run']).optional(),
    warmStart: z.literal(true).optional(),
  }),
  /** A search event; a candidate_finished carries the checkpoint after it, and the model when kept. */
  z.strictObject({ type: z.literal('event'), event: SearchEventSchema, checkpoint: z.json().optional(), model: modelMessageSchema.optional() }),
  /** The run reached the pause point (between candidates), or continues after one. */
  z.strictObject({ type: z.literal('paused'), paused: z.boolean() }),
  /**
   * The engine failed; `message` says what, in one line for people. It exits after sending this.
   * `during`: while setting the run up (its data, table, backend, checkpoint: running it again as it
   * is fails the same way) or while searching. `detail`: the stack of an unexpected error, for logs only.
   */
  z.strictObject({ type: z.literal('error'), message: z.string(), during: z.enum(['setup', 'search']).optional(), detail: z.string().optional() }),
  ...tuneToMainSchemas,
]);
export type EngineToMain = z.infer<typeof engineToMainSchema>;

/** Main → engine. */
export const mainToEngineSchema = z.discriminatedUnion('type', [
  /** Report the backend `auto` would pick (the app's status badge). */
  z.strictObject({ type: z.literal('probe') }),
  /** Run (or continue, from `checkpoint`) a search; the engine process runs one search and exits. */
  z.strictObject({
    type: z.literal('start'),
    runId: z.string().min(1),
    config: RunConfigSchema,
    /** The total budget, which may exceed config.budget when a finished run is extended. */
    budget: z.int().min(1),
    checkpoint: z.json().optional(),
    /** The checkpoint of config.controller as the history holds it when the run starts or resumes. */
    controller: z.json().optional(),
  }),
  /**
   * Reply to a `prepared` that awaits earlier results: the cached outcomes it asked for (none
   * without a cacheScope) and, when it asked for a warm start, the results to warm-start from.
   */
  z.strictObject({ type: z.literal('cache'), entries: z.array(cachedOutcomeSchema), warmStart: z.array(warmStartResultSchema).optional() }),
  z.strictObject({ type: z.literal('pause') }),
  z.strictObject({ type: z.literal('resume') }),
  /** Stop after cancelling the candidate in training; the run stays resumable. */
  z.strictObject({ type: z.literal('stop') }),
  /** Exit now; main kills the process if it does not exit soon after. */
  z.strictObject({ type: z.literal('shutdown') }),
  /**
   * Learn a controller over `tasks` (the second mode) until it has `settings.episodes` episodes: a new
   * one (no checkpoint) or one continued from the checkpoint after its `episodesDone`-th episode. One
   * job per engine process; `stop` ends it after cancelling the episode in flight.
   */
  z.strictObject({
    type: z.literal('tune_learn'),
    controller: z.string().min(1),
    tasks: z.array(TuningTaskSchema).min(1),
    settings: ControllerSettingsSchema,
    episodesDone: z.int().min(0),
    checkpoint: z.json().optional(),
  }),
  /** Train `task` steered by the controller in `checkpoint` (after `fineTuneEpisodes` episodes of fine-tuning on it), then with each baseline, for each seed. */
  z.strictObject({
    type: z.literal('tune_apply'),
    sessionId: z.int().min(1),
    task: TuningTaskSchema,
    checkpoint: z.json(),
    fineTuneEpisodes: z.int().min(0),
    baselines: z.array(z.enum(BASELINE_SCHEDULES)),
    seeds: z.array(z.int().min(0)).min(1),
  }),
]);
export type MainToEngine = z.input<typeof mainToEngineSchema>;
export type MainToEngineParsed = z.output<typeof mainToEngineSchema>;

/** Parses an incoming engine message; throws a readable error for anything else. */
export function parseEngineToMain(data: unknown): EngineToMain {
  const result = engineToMainSchema.safeParse(data);
  if (!result.success) throw new Error(`invalid message from engine: ${z.prettifyError(result.error)}`);
  return result.data;
}

/** Parses an incoming main message; throws a readable error for anything else. */
export function parseMainToEngine(data: unknown): MainToEngineParsed {
  const result = mainToEngineSchema.safeParse(data);
  if (!result.success) throw new Error(`invalid message from main: ${z.prettifyError(result.error)}`);
  return result.data;
}
