/**
 * DQN checkpoints (format 'gennerator-dqn', version 1): weights, target weights, Adam's moments,
 * the replay buffer, the RNG, the counters and the episode in progress, as JSON, so that training
 * continues exactly. Parsed with a schema (it comes back from another process or a file), then
 * checked against the agent it is loaded into.
 */
import { z } from 'zod';
import { DQNConfigSchema, type DQNConfig } from './config';
import type { ReplaySnapshot } from './replay-buffer';
import { AdamTensorsSchema, TensorsSchema, decodeAdam, decodeTensors, encodeAdam, encodeTensors, type AdamState } from '../nn/named-tensors';

const values = z.array(z.number());
const flags = z.array(z.int().min(0).max(1));
/** Named tensors: `q_${layer}_w` and `q_${layer}_b`. */
const tensors = TensorsSchema;

export const DQNCheckpointSchema = z.object({
  format: z.literal('gennerator-dqn'),
  version: z.literal(1),
  config: DQNConfigSchema,
  obsDim: z.int().nonnegative(),
  nActions: z.int().positive(),
  numTimesteps: z.int().nonnegative(),
  /** The horizon of the linear schedules (learn's total). */
  totalTimesteps: z.int().nonnegative(),
  nUpdates: z.int().nonnegative(),
  iteration: z.int().nonnegative(),
  episodes: z.int().nonnegative(),
  explorationRate: z.number(),
  /** Steps counted towards the next target update (SB3's _n_calls). */
  targetCalls: z.int().nonnegative(),
  /** Steps and episodes collected since the last training. */
  rolloutSteps: z.int().nonnegative(),
  rolloutEpisodes: z.int().nonnegative(),
  rngState: z.int(),
  params: tensors,
  target: tensors,
  adam: AdamTensorsSchema,
  replay: z.object({ pos: z.int().nonnegative(), full: z.boolean(), obs: values, nextObs: values, actions: z.array(z.int().nonnegative()), rewards: values, dones: flags, nextMasks: flags.nullable() }),
  /** The observation the next step acts on and its valid actions; null before the first step. */
  lastObs: values.nullable(),
  lastMask: flags.nullable(),
  episodeInfo: z.array(z.object({ r: z.number(), l: z.int().nonnegative() })),
  episodeReturn: z.number(),
  episodeLength: z.int().nonnegative(),
  /** Selective backprop's recent TD losses, oldest first (empty when it is off). */
  selectorLosses: values,
});
export type DQNCheckpoint = z.infer<typeof DQNCheckpointSchema>;

/** What a checkpoint records of a DQN agent, as the agent holds it. */
export interface DQNState {
  numTimesteps: number;
  totalTimesteps: number;
  nUpdates: number;
  iteration: number;
  episodes: number;
  explorationRate: number;
  targetCalls: number;
  rolloutSteps: number;
  rolloutEpisodes: number;
  rngState: number;
  params: Float32Array[];
  target: Float32Array[];
  adam: AdamState;
  replay: ReplaySnapshot;
  lastObs: Float32Array | null;
  lastMask: Uint8Array | null;
  episodeInfo: { r: number; l: number }[];
  episodeReturn: number;
  episodeLength: number;
  selectorLosses: number[];
}

/** The agent a checkpoint is loaded into. */
export interface DQNShape {
  obsDim: number;
  nActions: number;
  params: readonly Float32Array[];
}

/** Checkpoint names of the Q-network's parameter arrays. */
export function paramNames(layers: number): string[] {
  return Array.from({ length: layers }, (_, l) => [`q_${l}_w`, `q_${l}_b`]).flat();
}

export function encodeCheckpoint(config: DQNConfig, shape: Omit<DQNShape, 'params'>, s: DQNState): DQNCheckpoint {
  const names = paramNames(s.params.length / 2);
  return {
    format: 'gennerator-dqn',
    version: 1,
    config: JSON.parse(JSON.stringify(config)) as DQNConfig,
    obsDim: shape.obsDim,
    nActions: shape.nActions,
    numTimesteps: s.numTimesteps,
    totalTimesteps: s.totalTimesteps,
    nUpdates: s.nUpdates,
    iteration: s.iteration,
    episodes: s.episodes,
    explorationRate: s.explorationRate,
    targetCalls: s.targetCalls,
    rolloutSteps: s.rolloutSteps,
    rolloutEpisodes: s.rolloutEpisodes,
    rngState: s.rngState,
    params: encodeTensors(names, s.params),
    target: encodeTensors(names, s.target),
    adam: encodeAdam(names, s.adam),
    replay: s.replay,
    lastObs: s.lastObs ? Array.from(s.lastObs) : null,
    lastMask: s.lastMask ? Array.from(s.lastMask) : null,
    episodeInfo: s.episodeInfo.map((e) => ({ ...e })),
    episodeReturn: s.episodeReturn,
    episodeLength: s.episodeLength,
    selectorLosses: [...s.selectorLosses],
  };
}

export function parseCheckpoint(raw: unknown): DQNCheckpoint {
  const result = DQNCheckpointSchema.safeParse(raw);
  if (!result.success) throw new Error(`invalid DQN checkpoint: ${z.prettifyError(result.error)}`);
  return result.data;
}

/** The state a parsed checkpoint holds, checked against the agent it is loaded into. */
export function decodeCheckpoint(c: DQNCheckpoint, agent: DQNShape): DQNState {
  if (c.obsDim !== agent.obsDim || c.nActions !== agent.nActions)
    throw new Error(`DQN checkpoint: spaces (obsDim ${c.obsDim}, ${c.nActions} actions) do not match the env (obsDim ${agent.obsDim}, ${agent.nActions} actions)`);
  const names = paramNames(agent.params.length / 2);
  const named = (field: string, t: Record<string, number[]>) => decodeTensors('DQN', field, t, names, agent.params);
  if (c.lastObs !== null && c.lastObs.length !== agent.obsDim) throw new Error(`DQN checkpoint: lastObs has ${c.lastObs.length} values, expected ${agent.obsDim}`);
  if (c.lastMask !== null && c.lastMask.length !== agent.nActions) throw new Error(`DQN checkpoint: lastMask has ${c.lastMask.length} values, expected ${agent.nActions}`);
  return {
    ...c,
    params: named('params', c.params),
    target: named('target', c.target),
    adam: decodeAdam('DQN', c.adam, names, agent.params),
    lastObs: c.lastObs === null ? null : Float32Array.from(c.lastObs),
    lastMask: c.lastMask === null ? null : Uint8Array.from(c.lastMask),
    episodeInfo: c.episodeInfo.map((e) => ({ ...e })),
  };
}
