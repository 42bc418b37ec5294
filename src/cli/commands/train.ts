import type { Command } from 'commander';
import { withTrainingOptions, type TrainingOptions } from '../setup';

export interface TrainOptions extends TrainingOptions {
  arch: string;
}

export function registerTrain(program: Command): void {
  const command = program
    .command('train')
    .description('build one architecture, train it and report validation and test accuracy')
    .requiredOption('--arch <file-or-json>', 'architecture: a JSON file or inline JSON list of layers');
  withTrainingOptions(command, { epochs: 3 }).action(async (options: TrainOptions) => {
    // Loaded only to train: the other commands never load TensorFlow.js.
    const { runTrain } = await import('./train-run');
    await runTrain(options);
  });
}
