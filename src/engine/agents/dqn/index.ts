export { DQN, type DQNDiagnostics, type DQNLearnOptions, type DQNSpec, type StepRecord } from './dqn';
export { DQN_DEFAULTS, METAQNN_STAGES, explorationRate, scaleStages, type DQNConfig, type ExplorationStage } from './config';
export type { DQNCheckpoint } from './checkpoint';
export { ReplayBuffer, type Transition } from './replay-buffer';
export { argmaxValid, tdLoss } from './td-loss';
