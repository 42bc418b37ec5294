/**
 * What both the search's run setup and an evaluation worker need: the run's data and the error a
 * setup refuses with. Kept apart from prepare-run.ts so that a worker does not load every agent.
 */
import type { RunConfig } from '../../shared/run-config';
import { datasetSpecOf, loadDataset, prepareData } from '../data';
import type { PreparedData } from '../data/types';

export class RunSetupError extends Error {
  override name = 'RunSetupError';
}

/** Loads and splits a run's dataset (`train` and `search` share it). */
export async function loadData(config: Pick<RunConfig, 'dataset' | 'dataDir' | 'image' | 'subset' | 'seed'>): Promise<PreparedData> {
  const dataset = await loadDataset(datasetSpecOf(config));
  return prepareData(dataset, { subset: config.subset, seed: config.seed });
}
