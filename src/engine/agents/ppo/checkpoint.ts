/**
 * PPO checkpoints (format 'gennerator-ppo', version 2): everything PPO needs to continue exactly,
 * mid-rollout included, as JSON. A checkpoint comes back from another process (or a file) as
 * unknown JSON, so it is parsed with a schema, then checked against the agent it is loaded into.
 */
import { z } from 'zod';
import { PPOConfigSchema, type PPOConfig } from './config';
import type { RolloutSnapshot } from './buffer';
import { AdamTensorsSchema, TensorsSchema, decodeAdam, decodeTensors, encodeAdam, encodeTensors, type AdamState } from '../nn/named-tensors';

const values = z.array(z.number());
const counts = z.array(z.int().nonnegative());
/** Named tensors: `${layer}_w` and `${layer}_b` for layers pi_0… then vf_0…. */
const tensors = TensorsSchema;

export const PPOCheckpointSchema = z.object({
  format: z.literal('gennerator-ppo'),
  version: z.literal(2),
  config: PPOConfigSchema,
  obsDim: z.int().nonnegative(),
  nvec: z.array(z.int().positive()).min(1),
  numTimesteps: z.int().nonnegative(),
  nUpdates: z.int().nonnegative(),
  iteration: z.int().nonnegative(),
  rngState: z.int(),
  params: tensors,
  adam: AdamTensorsSchema,
  episodeInfo: z.array(z.object({ r: z.number(), l: z.int().nonnegative() })),
  /** The transitions of the rollout in progress (pos 0 right after an update). */
  rollout: z.object({
    pos: z.int().nonnegative(),
    obs: values,
    actions: counts,
    rewards: values,
    episodeStarts: values,
    values,
    logProbs: values,
    masks: z.array(z.int().min(0).max(1)).nullable(),
  }),
  /** The flat observations the next step acts on; null before the first step (learn resets the envs then). */
  lastObs: values.nullable(),
  lastEpisodeStarts: values,
  /** Return and length so far of each env's current episode. */
  episodeReturns: values,
  episodeLengths: counts,
});
export type PPOCheckpoint = z.infer<typeof PPOCheckpointSchema>;

/** What a checkpoint records of a PPO agent, as the agent holds it. */
export interface PPOState {
  numTimesteps: number;
  nUpdates: number;
  iteration: number;
  rngState: number;
  /** In the order of paramNames. */
  params: Float32Array[];
  adam: AdamState;
  episodeInfo: { r: number; l: number }[];
  rollout: RolloutSnapshot;
  lastObs: Float32Array | null;
  lastEpisodeStarts: Float32Array;
  episodeReturns: Float64Array;
  episodeLengths: Int32Array;
}

/** The agent a checkpoint is loaded into: what the checkpoint must match. */
export interface PPOShape {
  obsDim: number;
  nvec: readonly number[];
  nEnvs: number;
  paramNames: readonly string[];
  params: readonly Float32Array[];
}

/** The checkpoint names of the parameter arrays of policy and value MLPs with these layer counts. */
export function paramNames(piLayers: number, vfLayers: number): string[] {
  const layers = [...Array.from({ length: piLayers }, (_, i) => `pi_${i}`), ...Array.from({ length: vfLayers }, (_, i) => `vf_${i}`)];
  return layers.flatMap((l) => [`${l}_w`, `${l}_b`]);
}

export function encodeCheckpoint(config: PPOConfig, shape: Omit<PPOShape, 'params' | 'nEnvs'>, s: PPOState): PPOCheckpoint {
  return {
    format: 'gennerator-ppo',
    version: 2,
    config: JSON.parse(JSON.stringify(config)) as PPOConfig,
    obsDim: shape.obsDim,
    nvec: [...shape.nvec],
    numTimesteps: s.numTimesteps,
    nUpdates: s.nUpdates,
    iteration: s.iteration,
    rngState: s.rngState,
    params: encodeTensors(shape.paramNames, s.params),
    adam: encodeAdam(shape.paramNames, s.adam),
    episodeInfo: s.episodeInfo.map((e) => ({ ...e })),
    rollout: s.rollout,
    lastObs: s.lastObs ? Array.from(s.lastObs) : null,
    lastEpisodeStarts: Array.from(s.lastEpisodeStarts),
    episodeReturns: Array.from(s.episodeReturns),
    episodeLengths: Array.from(s.episodeLengths),
  };
}

/** Parses unknown JSON as a checkpoint; the error names the first bad field. */
export function parseCheckpoint(raw: unknown): PPOCheckpoint {
  const result = PPOCheckpointSchema.safeParse(raw);
  if (!result.success) throw new Error(`invalid PPO checkpoint: ${z.prettifyError(result.error)}`);
  return result.data;
}

/** The state a parsed checkpoint holds, checked against the agent it is loaded into. */
export function decodeCheckpoint(c: PPOCheckpoint, agent: PPOShape): PPOState {
  if (c.obsDim !== agent.obsDim || c.nvec.join() !== agent.nvec.join())
    throw new Error(`PPO checkpoint: spaces (obsDim ${c.obsDim}, nvec [${c.nvec}]) do not match the envs (obsDim ${agent.obsDim}, nvec [${agent.nvec}])`);
  const sized = (field: string, v: number[] | undefined, length: number) => {
    if (v === undefined) throw new Error(`PPO checkpoint: ${field} is missing`);
    if (v.length !== length) throw new Error(`PPO checkpoint: ${field} has ${v.length} values, expected ${length}`);
    return v;
  };
  const perEnv = (field: string, v: number[]) => sized(field, v, agent.nEnvs);
  if (c.lastObs === null && c.rollout.pos > 0) throw new Error('PPO checkpoint: a rollout in progress (rollout.pos > 0) needs lastObs');
  return {
    numTimesteps: c.numTimesteps,
    nUpdates: c.nUpdates,
    iteration: c.iteration,
    rngState: c.rngState,
    params: decodeTensors('PPO', 'params', c.params, agent.paramNames, agent.params),
    adam: decodeAdam('PPO', c.adam, agent.paramNames, agent.params),
    episodeInfo: c.episodeInfo.map((e) => ({ ...e })),
    rollout: c.rollout,
    lastObs: c.lastObs === null ? null : Float32Array.from(sized('lastObs', c.lastObs, agent.nEnvs * agent.obsDim)),
    lastEpisodeStarts: Float32Array.from(perEnv('lastEpisodeStarts', c.lastEpisodeStarts)),
    episodeReturns: Float64Array.from(perEnv('episodeReturns', c.episodeReturns)),
    episodeLengths: Int32Array.from(perEnv('episodeLengths', c.episodeLengths)),
  };
}
