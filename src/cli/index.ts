#!/usr/bin/env node
/** geNNerator's headless front end: `npm run -s cli -- <command>`. */
import { Command, CommanderError } from 'commander';
import { registerBackends } from './commands/backends';
import { registerExport } from './commands/export';
import { registerRuns } from './commands/runs';
import { registerSearch } from './commands/search';
import { registerServe } from './commands/serve';
import { registerTrain } from './commands/train';
import { registerTune } from './commands/tune';
import { registerWorker } from './commands/worker';
import { CliError, EXIT, formatCliError, formatUnexpectedError } from './errors';

export function createProgram(): Command {
  const program = new Command('gennerator')
    .description('geNNerator: a reinforcement-learning agent that designs neural networks')
    .showHelpAfterError('hint: add --help for usage')
    .exitOverride();
  registerBackends(program);
  registerTrain(program);
  registerSearch(program);
  registerTune(program);
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
    return EXIT.ok;
  } catch (error) {
    // Commander has already printed its own one-line error and hint (or the help that was asked for).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof CliError) {
      process.stderr.write(formatCliError(error));
      return error.exitCode;
    }
    process.stderr.write(formatUnexpectedError(error));
    return EXIT.failed;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
