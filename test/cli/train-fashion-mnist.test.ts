/**
 * The README's `train` example on real data. A file of its own: it trains for minutes (several
 * times longer on a loaded machine), so another worker can run the rest of the suite beside it.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';

/** Only stops a hung run: a passing one takes 3 min of both cores here, and 22 min at load 15. */
const TIMEOUT_MS = 3_600_000;

describe('real data', () => {
  it('a small CNN on 10,000 Fashion-MNIST images reaches ≥ 85% validation accuracy in 2 epochs', async () => {
    const run = await runCli([
      'train', '--dataset', 'fashion-mnist', '--arch', 'resources/architectures/small-cnn.json',
      '--epochs', '2', '--subset', '10000', '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const summary = run.events.at(-1) as { valid_acc: number; test_acc: number; epochs: unknown[] };
    expect(summary.epochs).toHaveLength(2);
    expect(summary.valid_acc).toBeGreaterThanOrEqual(0.85);
    expect(summary.test_acc).toBeGreaterThan(0.8);
  }, TIMEOUT_MS);
});
