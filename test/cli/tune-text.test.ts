/** What `tune apply` and `tune show` print: the schedule a controller followed, and schedules compared over seeds. */
import { describe, expect, it } from 'vitest';
import { parseBaselines, parseSeeds } from '../../src/cli/commands/tune-apply';
import { comparisonTable, scheduleLines, scheduleStats } from '../../src/cli/commands/tune-text';
import { CliError } from '../../src/cli/errors';
import type { EpisodeOutcome, Hyperparameters, TuneDecision } from '../../src/shared/tuning';

const adam: Hyperparameters = { learningRate: 1e-3, optimizer: 'adam', dropout: 0.2, weightDecay: 0 };

function decision(step: number, hyperparameters: Hyperparameters, intervened: boolean): TuneDecision {
  return { step, progress: (step + 1) / 4, epoch: step + 1, interveneProbability: intervened ? 0.74 : 0.1, threshold: 0.5, intervened, hyperparameters, reward: 0 };
}

function outcome(testAccuracy: number, status: EpisodeOutcome['status'] = 'completed'): EpisodeOutcome {
  return { status, epochs: [], decisions: [], finalValidAccuracy: testAccuracy + 0.01, testAccuracy, return: 0, seconds: 2 };
}

describe('tune output', () => {
  it('prints one line per intervention with what changed against what was in force', () => {
    const lowered = { ...adam, learningRate: 3e-4 };
    const switched = { ...lowered, optimizer: 'momentum' as const, dropout: 0.1 };
    const lines = scheduleLines(adam, [decision(0, adam, false), decision(1, lowered, true), decision(2, lowered, false), decision(3, switched, true)]);
    expect(lines).toEqual([
      '  epoch 2 (50%)  lr 1e-3 → 3e-4  (p 0.74 > threshold 0.50)',
      '  epoch 4 (100%)  optimizer adam → momentum, dropout 0.20 → 0.10  (p 0.74 > threshold 0.50)',
    ]);
  });

  it('compares schedules by mean and spread over seeds, in the order they were planned', () => {
    const stats = scheduleStats([
      { schedule: 'controller', seed: 0, outcome: outcome(0.8) },
      { schedule: 'cosine', seed: 0, outcome: outcome(0.82) },
      { schedule: 'controller', seed: 1, outcome: outcome(0.84) },
      { schedule: 'cosine', seed: 1, outcome: outcome(0.5, 'diverged') },
      { schedule: 'step', seed: 0 },
    ]);
    expect(stats.map((s) => [s.schedule, s.seeds, s.diverged])).toEqual([
      ['controller', 2, 0],
      ['cosine', 2, 1],
    ]);
    expect(stats[0].testMean).toBeCloseTo(0.82, 10);
    expect(stats[0].testStd).toBeCloseTo(Math.sqrt(0.0008), 10);
    const table = comparisonTable(stats).split('\n');
    expect(table[0]).toMatch(/^schedule +seeds +test acc +± std +val acc +seconds +diverged$/);
    expect(table[1]).toMatch(/^controller +2 +82\.00% +2\.83 +83\.00% +4\.0 +0$/);
    expect(scheduleStats([{ schedule: 'constant', seed: 0, outcome: outcome(0.7) }])[0].testStd).toBeNull();
  });

  it('reads --baselines and --seeds, refusing what it does not know', () => {
    expect(parseBaselines('cosine, step,cosine')).toEqual(['cosine', 'step']);
    expect(parseBaselines('none')).toEqual([]);
    expect(() => parseBaselines('controller')).toThrow(CliError);
    expect(() => parseBaselines('')).toThrow('--baselines: no schedule given');
    expect(parseSeeds('2,0,2')).toEqual([2, 0]);
    expect(() => parseSeeds('1,-1')).toThrow('--seeds: "-1" is not a whole number ≥ 0');
  });
});
