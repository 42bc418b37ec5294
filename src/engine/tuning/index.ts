/**
 * The second mode's engine: a controller (PPO) that steers a network's hyperparameters while it
 * trains. The CLI, the engine process and the search use only these exports.
 */
export { LiveTraining, type LiveTrainingOptions } from './live-training';
export { TrainingControlEnv, type ControlEnvOptions, type ControlState, type ControlTransition, type Trainee, type TraineeBatches, type TrainOptions } from './training-control-env';
export { InterventionThreshold, THRESHOLD_STEP, type ThresholdState } from './threshold';
export { RewardNormalizer, RunningStats, DIVERGENCE_PENALTY, REWARD_CLIP, PROGRESS_BINS } from './reward';
export { OBSERVATION_FEATURES, OBSERVATION_SIZE, observe } from './observation';
export { Controller, ControllerCheckpointSchema, CONTROLLER_PPO, type ControllerCheckpoint, type ControllerDecision } from './controller';
export { runEpisode, driveEpisode, type RunEpisodeArgs, type DriveArgs, type Steering, type EpisodeHooks } from './episode';
export { bestConstantRate, type BestConstant, type BestConstantArgs } from './baselines';
export { BASELINE_SCHEDULES, DEFAULT_RATE_GRID, scheduleRate, type BaselineSchedule } from './schedules';
export { learnController, episodeSeed, taskOrder, type LearnArgs } from './learn';
export { poolEpisodeRunner, startEpisodeWorkers, ControllerEpisodeEvaluator, type EpisodeRunner } from './parallel-episodes';
export { taskDataLoader } from './task-data';
export { applyController, type ApplyArgs, type ApplyResult } from './apply';
export { sampleTasks, type SampleTasksArgs } from './tasks';
export { applyChange, architectureDropout, clampHyperparameters, decodeChange, isNeutral, NEUTRAL_CHOICES } from './hyperparameters';
