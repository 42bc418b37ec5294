/**
 * Messages between a run's coordinator (the engine process, which keeps the search loop) and an
 * evaluation worker (a process that only evaluates candidates). A worker is told once what to
 * build — `init`, with the evaluator's settings — then gets one `evaluate` at a time and answers
 * with its epochs and an `outcome`. Every message is JSON-safe, so the same contract can travel
 * through a queue to another machine. Neither side trusts the other by type alone: each parses
 * what arrives with these schemas, and a malformed message is an error naming the worker.
 */
import { z } from 'zod';
import { backendReportSchema, cachedOutcomeSchema, modelMessageSchema } from './engine-messages';
import { CandidateStatusSchema } from './events';
import { EpochMetricsSchema } from './events';
import { RunConfigFieldsSchema } from './run-config';
import { TrainingConfigSchema } from './training';
import { EpisodeJobSchema, EpisodeRolloutSchema } from './tuning';

/** What a worker builds its evaluator from. */
export const workerEvaluatorSchema = z.discriminatedUnion('kind', [
  /** Train each candidate on a dataset, loaded and split by the worker exactly as the coordinator did. */
  z.strictObject({
    kind: z.literal('training'),
    data: RunConfigFieldsSchema.pick({ dataset: true, dataDir: true, image: true, subset: true, seed: true }),
    training: TrainingConfigSchema,
    /**
     * The coordinator's settings key (dataset fingerprint and training settings): a worker whose
     * data or settings come out different refuses to evaluate, since its results would not compare.
     */
    settingsKey: z.string().min(1),
    evaluateTest: z.boolean(),
    captureModels: z.boolean(),
    /** Train each candidate under this controller (search --controller): its name and checkpoint. */
    controller: z.strictObject({ name: z.string().min(1), checkpoint: z.json() }).optional(),
  }),
  /**
   * Learning episodes of the second mode (tune learn with parallel episodes): each job carries its
   * episode (the task, a seed, the controller's checkpoint), and the outcome its rollout.
   */
  z.strictObject({ kind: z.literal('controller-episodes') }),
  /** No training: each candidate takes a fixed time (benchmarks and tests of the pool itself). */
  z.strictObject({
    kind: z.literal('fixed-latency'),
    latencyMs: z.number().min(0).max(600_000),
    /** Epochs reported along the way, evenly spaced. */
    epochs: z.int().min(1).max(1000),
  }),
]);
export type WorkerEvaluator = z.infer<typeof workerEvaluatorSchema>;

/** One candidate to evaluate: an EvaluationJob (src/engine/evaluators/types.ts) as plain JSON. */
export const evaluationJobSchema = z.strictObject({
  index: z.int().min(0),
  action: z.array(z.int().min(0)),
  hash: z.string().min(1),
  architecture: z.json(),
  /** A learning episode, for a controller-episodes worker (the job's architecture is its task's layers). */
  episode: EpisodeJobSchema.optional(),
});

export type EvaluationJobMessage = z.input<typeof evaluationJobSchema>;

/** A candidate's result: what the replay cache keeps, plus whether it was cached and its weights when asked for. */
export const workerOutcomeSchema = cachedOutcomeSchema.extend({
  // A worker's candidate may also have been stopped early by the run's pruner (the cache keeps no such results).
  status: CandidateStatusSchema,
  cached: z.boolean(),
  model: modelMessageSchema.optional(),
  /** A learning episode's steps and outcome (controller-episodes workers). */
  rollout: EpisodeRolloutSchema.optional(),
});

/** Early stopping's verdict on the candidate in evaluation: stop it after an epoch (it may arrive an epoch late). */
const pruneMessageSchema = z.strictObject({ type: z.literal('prune'), index: z.int().min(0) });
/** Stop evaluating this candidate; the worker answers `cancelled` and takes the next job. */
const cancelMessageSchema = z.strictObject({ type: z.literal('cancel'), index: z.int().min(0) });

/** Coordinator → worker. */
export const coordinatorToWorkerSchema = z.discriminatedUnion('type', [
  /** First and once: what to evaluate with. The worker answers `ready` (or `failed` without an index). */
  z.strictObject({
    type: z.literal('init'),
    /** The worker's number in its pool (1-based), for messages and logs. */
    worker: z.int().min(1),
    evaluator: workerEvaluatorSchema,
    backend: RunConfigFieldsSchema.shape.backend,
    /** Threads for the wasm backend: the pool divides the CPU among its workers. */
    wasmThreads: z.int().min(1).max(64).optional(),
  }),
  /** Evaluate this candidate; a worker evaluates one at a time. */
  z.strictObject({ type: z.literal('evaluate'), job: evaluationJobSchema }),
  pruneMessageSchema,
  cancelMessageSchema,
]);
export type CoordinatorToWorker = z.input<typeof coordinatorToWorkerSchema>;
export type CoordinatorToWorkerParsed = z.output<typeof coordinatorToWorkerSchema>;

/** A candidate finished an epoch (the live view and early stopping follow them). */
const epochMessageSchema = z.strictObject({ type: z.literal('epoch'), index: z.int().min(0), metrics: EpochMetricsSchema });

/** Worker → coordinator. */
export const workerToCoordinatorSchema = z.discriminatedUnion('type', [
  /** The evaluator is built (backend up, data loaded and matching the coordinator's settings key). */
  z.strictObject({ type: z.literal('ready'), backend: backendReportSchema.optional(), settingsKey: z.string().min(1) }),
  epochMessageSchema,
  z.strictObject({ type: z.literal('outcome'), index: z.int().min(0), outcome: workerOutcomeSchema }),
  /** The candidate was cancelled before it finished. */
  z.strictObject({ type: z.literal('cancelled'), index: z.int().min(0) }),
  /** The evaluation threw (with `index`) or the worker could not start (without): `message` says why. */
  z.strictObject({ type: z.literal('failed'), index: z.int().min(0).optional(), message: z.string() }),
]);
export type WorkerToCoordinator = z.input<typeof workerToCoordinatorSchema>;
export type WorkerToCoordinatorParsed = z.output<typeof workerToCoordinatorSchema>;

/*
 * The same contract through a run's BullMQ queue on Redis (src/engine/pool/queue-pool.ts and
 * queue-worker.ts), where there is no `init`: each job carries what its worker builds the evaluator
 * from, and a worker on another machine keeps one evaluator per distinct setting.
 */

/** A queued candidate (a BullMQ job's data). */
export const queuedEvaluationSchema = z.strictObject({
  /** The run whose coordinator queued it (its queue is named after it). */
  run: z.string().min(1),
  evaluator: workerEvaluatorSchema,
  backend: RunConfigFieldsSchema.shape.backend,
  job: evaluationJobSchema,
});
export type QueuedEvaluation = z.input<typeof queuedEvaluationSchema>;

/**
 * A queued candidate's result (the job's return value). Its weights, when trained, wait apart in the
 * run's model hash (they can be megabytes, and BullMQ copies every return value into its event stream).
 */
export const queuedResultSchema = z.strictObject({
  type: z.literal('outcome'),
  index: z.int().min(0),
  outcome: workerOutcomeSchema.omit({ model: true }),
  /** Whether the weights were stored under the candidate's index. */
  model: z.boolean(),
  /** Who evaluated it (host:pid), for the coordinator's log. */
  worker: z.string(),
});
export type QueuedResult = z.input<typeof queuedResultSchema>;

/** A queued candidate's epoch (the job's progress). */
export const queuedProgressSchema = epochMessageSchema;
export type QueuedProgress = z.input<typeof queuedProgressSchema>;

/** The coordinator's verdict on a queued candidate: stop it after an epoch, or drop it (the run ended). */
export const queuedVerdictSchema = z.discriminatedUnion('type', [pruneMessageSchema, cancelMessageSchema]);
export type QueuedVerdict = z.input<typeof queuedVerdictSchema>;

/** A message that does not follow this contract; names the worker and shows the message. */
export class WorkerMessageError extends Error {
  override name = 'WorkerMessageError';
}

/** Parses what `from` sent (the coordinator of a run, a worker) with one of this contract's schemas; throws a WorkerMessageError otherwise. */
export function parseWith<S extends z.ZodType>(schema: S, data: unknown, from: string): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  throw new WorkerMessageError(`invalid message from ${from}: ${z.prettifyError(result.error)}\nmessage: ${preview(data)}`);
}

/** At most a few hundred characters of the message (a model's weights can be megabytes). */
function preview(data: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(data) ?? String(data);
  } catch {
    text = String(data);
  }
  return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} characters)` : text;
}

/** Parses what evaluation worker `worker` sent; throws a WorkerMessageError naming it otherwise. */
export function parseWorkerToCoordinator(data: unknown, worker: number): WorkerToCoordinatorParsed {
  return parseWith(workerToCoordinatorSchema, data, `evaluation worker ${worker}`);
}

/** Parses what the coordinator sent to evaluation worker `worker`; throws a WorkerMessageError otherwise. */
export function parseCoordinatorToWorker(data: unknown, worker: number | undefined): CoordinatorToWorkerParsed {
  return parseWith(coordinatorToWorkerSchema, data, `the coordinator${worker === undefined ? '' : ` (to evaluation worker ${worker})`}`);
}
