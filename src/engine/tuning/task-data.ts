/** The prepared data of tuning tasks, each dataset (with its subset and split) loaded once however many tasks train on it. */
import type { TuningTask } from '../../shared/tuning';
import type { PreparedData } from '../data/types';
import { loadData } from '../run/run-data';

/** Loads each task's dataset (subset and split by `seed`) on first use and keeps it. */
export function taskDataLoader(seed: number): (task: TuningTask) => Promise<PreparedData> {
  const loaded = new Map<string, Promise<PreparedData>>();
  return (task) => {
    const options = { dataset: task.dataset, dataDir: task.dataDir, image: task.image, subset: task.subset, seed };
    const key = JSON.stringify(options);
    if (!loaded.has(key)) loaded.set(key, loadData(options));
    return loaded.get(key)!;
  };
}
