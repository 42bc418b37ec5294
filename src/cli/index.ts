#!/usr/bin/env node
/** geNNerator's headless front end: `npm run -s cli -- <command>`. */
import { Command, CommanderError } from 'commander';
import { registerBackends } from './commands/backends';
import { registerExport } from './commands/export';
import { registerRuns } from './commands/runs';
import { registerSearch } from './commands/search';
import { registerServe } from './commands/serve';
import { registerTrain } from './commands/train';
import { registerWorker } from './commands/worker';
import { CliError } from './errors';

export function createProgram(): Command {
  const program = new Command('gennerator')
    .description('geNNerator: a reinforcement-learning agent that designs neural networks')
    .showHelpAfterError('hint: add --help for usage')
    .exitOverride();
  registerBackends(program);
  registerTrain(program);
  registerSearch(program);
  registerRuns(program);
  registerExport(program);
  registerServe(program);
  registerWorker(program);
  for (const command of program.commands) command.exitOverride().showHelpAfterError(`hint: see \`${command.name()} --help\``);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await createProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    // Commander has already printed its own one-line error and hint.
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CliError) {
      process.stderr.write(`error: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ''}`);
      return error.exitCode;
    }
    process.stderr.write(`error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
