/** The UI draws shapes from the shared table of dataset inputs: it must say what the loaders produce. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_FASHION_MNIST_DIR, loadDataset } from '../../../src/engine/data';
import { DATASET_INPUTS } from '../../../src/shared/run-config';
import { existsSync } from 'node:fs';

describe('DATASET_INPUTS', () => {
  it('matches the synthetic loader', async () => {
    const data = await loadDataset({ name: 'synthetic', seed: 0 });
    expect([...data.inputShape]).toEqual(DATASET_INPUTS.synthetic.inputShape);
    expect(data.numClasses).toBe(DATASET_INPUTS.synthetic.numClasses);
  });

  it.runIf(existsSync(DEFAULT_FASHION_MNIST_DIR))('matches the Fashion-MNIST loader', async () => {
    const data = await loadDataset({ name: 'fashion-mnist' });
    expect([...data.inputShape]).toEqual(DATASET_INPUTS['fashion-mnist'].inputShape);
    expect(data.numClasses).toBe(DATASET_INPUTS['fashion-mnist'].numClasses);
  });
});
