export { DQN, type DQNDiagnostics, type DQNLearnOptions, type DQNSpec, type StepRecord } from './dqn';
export { DQN_DEFAULTS, explorationRate, type DQNConfig } from './config';
export { METAQNN_STAGES, scaleStages, type ExplorationStage } from '../common/schedule';
export type { DQNCheckpoint } from './checkpoint';
export { ReplayBuffer, type Transition } from './replay-buffer';
export { argmaxValid, tdLoss } from './td-loss';
