export * from './ppo';
export { RolloutBuffer, computeGae } from './buffer';
export { orthogonal, initMlp, forwardMlp, type DenseLayer } from './mlp';
