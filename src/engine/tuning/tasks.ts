/**
 * Tasks to learn a controller on: networks sampled from an action set with the search's own
 * grammar (uniform over the allowed layer at each position, as the random search samples),
 * each on the same dataset settings. A task starts at Adam 1e-3 with the network's own dropout.
 */
import { ActionGrammar, type ActionSet } from '../../shared/action-set';
import { datasetInput, type FolderImage } from '../../shared/run-config';
import { TuningTaskSchema, type TuningTask, type TuningTaskInput } from '../../shared/tuning';
import { sampleMasked } from '../agents/strategy';
import { createRng } from '../random';
import { ActionSetSpace } from '../search/space';
import { architectureDropout } from './hyperparameters';

export interface SampleTasksArgs {
  actionSet: ActionSet;
  count: number;
  dataset: TuningTask['dataset'];
  dataDir?: string;
  image?: FolderImage;
  subset?: number;
  epochs: number;
  batchSize?: number;
  decisionsPerEpoch?: number;
  seed: number;
  /** Needed for a folder dataset (its image options decide it); the built-in datasets' are known. */
  inputShape?: readonly [number, number, number];
  /** Task names: `${namePrefix} #i` (default "sampled"). */
  namePrefix?: string;
}

export function sampleTasks(args: SampleTasksArgs): TuningTask[] {
  const inputShape = args.inputShape ?? (args.image ? ([args.image.size, args.image.size, args.image.channels] as const) : datasetInput(args.dataset)?.inputShape);
  if (!inputShape) throw new Error(`sampleTasks: the input shape of dataset ${args.dataset} is unknown; pass inputShape`);
  if (!Number.isInteger(args.count) || args.count < 1) throw new Error(`sampleTasks: count must be a whole number ≥ 1, got ${args.count}`);
  const space = new ActionSetSpace(new ActionGrammar(args.actionSet, inputShape));
  const rng = createRng(args.seed);
  const seen = new Set<string>();
  const tasks: TuningTask[] = [];
  // Distinct networks where the action set has enough; repeats once it does not.
  for (let tries = 0; tasks.length < args.count; tries++) {
    const action = sampleMasked(space.nvec, (prefix) => space.slotMask(prefix), rng.int);
    const layers = space.layers(action);
    const { hash } = space.describe(action);
    if (layers.length === 0 || (seen.has(hash) && tries < 20 * args.count)) continue;
    seen.add(hash);
    const input: TuningTaskInput = {
      name: `${args.namePrefix ?? 'sampled'} #${tasks.length + 1}`,
      layers,
      dataset: args.dataset,
      ...(args.dataDir ? { dataDir: args.dataDir } : {}),
      ...(args.image ? { image: args.image } : {}),
      ...(args.subset ? { subset: args.subset } : {}),
      epochs: args.epochs,
      ...(args.batchSize ? { batchSize: args.batchSize } : {}),
      ...(args.decisionsPerEpoch ? { decisionsPerEpoch: args.decisionsPerEpoch } : {}),
      initial: { learningRate: 1e-3, optimizer: 'adam', dropout: architectureDropout(layers), weightDecay: 0 },
    };
    tasks.push(TuningTaskSchema.parse(input));
  }
  return tasks;
}
