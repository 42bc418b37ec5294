import type { Command } from 'commander';
import { candidateStatusText, warmStartText, type RunSummary } from '../../shared/history';
import { redisUrlForDisplay } from '../../shared/redis-url';
import { RUN_STATUSES, type RunConfig, type RunStatus } from '../../shared/run-config';
import { CliError } from '../errors';
import { resolveRun, withDbOption, withHistory, type DbOptions } from '../history';
import { positiveInt } from '../options';
import { percent, snakeCaseKeys, table } from '../output';

interface JsonOption extends DbOptions {
  json?: boolean;
}

export function registerRuns(program: Command): void {
  const runs = program.command('runs').description('browse and manage the search history');

  withDbOption(
    runs
      .command('list')
      .description('runs, newest first')
      .option('--status <status>', `only runs with this status (${RUN_STATUSES.join(', ')})`)
      .option('--limit <n>', 'at most n runs', positiveInt, 50)
      .option('--json', 'a JSON array'),
  ).action((options: JsonOption & { status?: string; limit: number }) => {
    if (options.status && !RUN_STATUSES.includes(options.status as RunStatus)) {
      throw new CliError(`unknown status "${options.status}"`, `use one of ${RUN_STATUSES.join(', ')}`);
    }
    return withHistory(options, (store) => {
      const list = store.listRuns({ limit: options.limit, status: options.status as RunStatus | undefined });
      if (options.json) return print(JSON.stringify(list.map(runJson)));
      if (list.length === 0) return print(`no runs yet in ${store.path}`);
      print(table(['id', 'name', 'status', 'strategy', 'evaluator', 'data', 'done', 'best val', 'started'], list.map(runRow)));
    });
  });

  withDbOption(runs.command('show').description("a run's config and candidates").argument('<run>', 'run id (or a unique prefix)').option('--json', 'one JSON object')).action(
    (id: string, options: JsonOption) =>
      withHistory(options, (store) => {
        const runId = resolveRun(store, id);
        const run = store.getRun(runId)!;
        const { rows } = store.listCandidates(runId, { sortBy: 'index', order: 'asc', limit: Number.MAX_SAFE_INTEGER });
        if (options.json) {
          const candidates = rows.map((c) => ({ index: c.index, status: c.status, arch_hash: c.hash, reward: c.reward, valid_acc: c.validAcc, epochs_reached: c.epochsReached }));
          const warmStart = run.warmStart && { evaluations: run.warmStart.evaluations, runs: run.warmStart.runs };
          return print(JSON.stringify({ id: run.id, status: run.status, budget: run.budget, config: shownConfig(run.config), warm_start: warmStart, candidates }));
        }
        print(`run      ${run.id}${run.name ? `  "${run.name}"` : ''}`);
        print(`status   ${run.status}${run.statusReason ? `: ${run.statusReason}` : ''}`);
        print(`search   ${run.strategy} over ${run.evaluator === 'nb201' ? `NAS-Bench-201 ${run.config.nb201Dataset}` : run.dataset}, ${run.evaluations}/${run.budget} candidates${run.config.timeBudgetS === undefined ? '' : ` within ${run.config.timeBudgetS} s`}, ${run.cacheHits} cached`);
        if (run.backend) print(`backend  ${run.backend}: ${run.device}`);
        if (run.config.warmStart) print(`warm     ${run.warmStart ? warmStartText(run.warmStart) : 'asked for, not started yet'}`);
        if (run.bestIndex !== null) print(`best     #${run.bestIndex} val ${percent(run.bestSignal ?? undefined)} test ${percent(run.bestTestAcc ?? undefined)}  ${run.bestLabel ?? ''}`);
        print('');
        print(
          table(
            ['#', 'status', 'val', 'test', 'reward', 'params', 'seconds', 'architecture'],
            rows.map((c) => [
              String(c.index),
              c.cached ? `${c.status} (cached)` : candidateStatusText(c),
              percent(c.validAcc ?? undefined),
              percent(c.testAcc ?? undefined),
              c.reward?.toFixed(3) ?? '—',
              c.params?.toLocaleString('en') ?? '—',
              c.seconds?.toFixed(1) ?? '—',
              c.error ? `${c.label}  (${c.error})` : c.label,
            ]),
          ),
        );
      }),
  );

  withDbOption(runs.command('delete').description('delete a run with its candidates, metrics and models').argument('<run>', 'run id (or a unique prefix)')).action(
    (id: string, options: DbOptions) =>
      withHistory(options, (store) => {
        const runId = resolveRun(store, id);
        const run = store.getRun(runId)!;
        if (run.status === 'running' || run.status === 'paused') throw new CliError(`run ${runId} is ${run.status}`, 'stop it first (Ctrl-C in its terminal)');
        store.deleteRun(runId);
        print(`deleted run ${runId} (${run.evaluations} candidates)`);
      }),
  );

  withDbOption(runs.command('rename').description('name a run').argument('<run>', 'run id (or a unique prefix)').argument('<name>', 'the new name')).action(
    (id: string, name: string, options: DbOptions) =>
      withHistory(options, (store) => {
        const runId = resolveRun(store, id);
        store.renameRun(runId, name);
        print(`run ${runId} is now "${name}"`);
      }),
  );
}

/** The config as printed: a Redis URL without its password. */
function shownConfig(config: RunConfig): RunConfig {
  return config.redis ? { ...config, redis: { ...config.redis, url: redisUrlForDisplay(config.redis.url) } } : config;
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

function runJson(run: RunSummary) {
  const { id, name, status, statusReason, strategy, evaluator, dataset, budget, evaluations, cacheHits, bestIndex, bestSignal, bestTestAcc } = run;
  return {
    ...snakeCaseKeys({ id, name, status, statusReason, strategy, evaluator, dataset, budget, evaluations, cacheHits, bestIndex, bestSignal, bestTestAcc }),
    created_at: new Date(run.createdAt).toISOString(),
  };
}

function runRow(run: RunSummary): string[] {
  return [
    run.id.slice(0, 8),
    run.name ?? '',
    run.status,
    run.strategy,
    run.evaluator,
    run.dataset ?? '',
    `${run.evaluations}/${run.budget}`,
    percent(run.bestSignal ?? undefined),
    new Date(run.startedAt ?? run.createdAt).toISOString().slice(0, 16).replace('T', ' '),
  ];
}
