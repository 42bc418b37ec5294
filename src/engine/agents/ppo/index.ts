export * from './ppo';
export { PPO_DEFAULTS, scheduleValue, type PPOConfig, type Schedule } from './config';
export type { PPOCheckpoint } from './checkpoint';
export type { MinibatchLoss } from './loss';
export { evaluatePolicy, explainedVariance, type Policy } from './evaluation';
export { Adam, clipByGlobalNorm } from './optimizer';
export { MaskableMultiCategorical, type LogSoftmaxRow } from './distribution';
export { RolloutBuffer, computeGae } from './buffer';
export { orthogonal, initMlp, forwardMlp, type DenseLayer } from './mlp';
