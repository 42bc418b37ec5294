import type { Command } from 'commander';
import { exportCandidate, ExportError, exportRunHistory } from '../../main/services/exporter';
import { CliError } from '../errors';
import { resolveRun, withDbOption, type DbOptions } from '../history';
import { createOutput, percent } from '../output';
import { withHistory } from './runs';

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
      const run = store.getRun(runId)!;
      const index = indexText === undefined ? run.bestIndex : Number(indexText);
      if (index === null || !Number.isInteger(index) || index < 0) {
        throw new CliError(indexText === undefined ? `run ${runId} has no finished candidate yet` : `"${indexText}" is not a candidate index`, 'see `runs show <run>`', indexText === undefined ? 1 : 2);
      }
      try {
        const model = exportCandidate(store, runId, index, options.out);
        const history = indexText === undefined ? exportRunHistory(store, runId, options.out) : [];
        const output = createOutput(Boolean(options.json));
        output.event('export', { run_id: runId, index, weights_from: model.weightsFrom, files: [...model.files, ...history], valid_acc: model.validAcc, test_acc: model.testAcc });
        output.line(`exported candidate #${index} of run ${runId.slice(0, 8)} (val ${percent(model.validAcc ?? undefined)}, test ${percent(model.testAcc ?? undefined)})`);
        for (const file of [...model.files, ...history]) output.line(`  ${file}`);
      } catch (error) {
        if (error instanceof ExportError) throw new CliError(error.message, 'see `runs show <run>` for the candidates and their status', 1);
        throw error;
      }
    }),
  );
}
