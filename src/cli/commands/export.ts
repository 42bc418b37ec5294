import type { Command } from 'commander';
import { ExportError, exportTarget } from '../../main/services/exporter';
import { CliError } from '../errors';
import { resolveRun, withDbOption, withHistory, type DbOptions } from '../history';
import { createOutput, percent } from '../output';

export function registerExport(program: Command): void {
  withDbOption(
    program
      .command('export')
      .description("write a candidate's trained model (TensorFlow.js layers format) and architecture; for a run, its best candidate and its history as JSON and CSV")
      .argument('<run-or-candidate>', 'a run id (or unique prefix) for its best candidate, or RUN:INDEX for one candidate')
      .requiredOption('--out <dir>', 'directory to write into')
      .option('--json', 'print what was written as one JSON object'),
  ).action((target: string, options: DbOptions & { out: string; json?: boolean }) =>
    withHistory(options, (store) => {
      const [id, indexText] = target.split(':');
      const runId = resolveRun(store, id);
      const index = indexText === undefined ? undefined : Number(indexText);
      if (index !== undefined && (!Number.isInteger(index) || index < 0)) throw new CliError(`"${indexText}" is not a candidate index`, 'see `runs show <run>`');
      try {
        const exported = exportTarget(store, runId, index, () => options.out);
        const output = createOutput(Boolean(options.json));
        output.event('export', { run_id: runId, index: exported.index, weights_from: exported.weightsFrom, files: exported.files, valid_acc: exported.validAcc, test_acc: exported.testAcc });
        output.line(`exported candidate #${exported.index} of run ${runId.slice(0, 8)} (val ${percent(exported.validAcc ?? undefined)}, test ${percent(exported.testAcc ?? undefined)})`);
        for (const file of exported.files) output.line(`  ${file}`);
      } catch (error) {
        if (error instanceof ExportError) throw new CliError(error.message, 'see `runs show <run>` for the candidates and their status');
        throw error;
      }
    }),
  );
}
