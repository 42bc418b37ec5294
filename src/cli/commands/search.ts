import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { ActionGrammar, ActionSetError, parseActionSet } from '../../shared/action-set';
import type { SearchEvent } from '../../shared/events';
import { RegularizedEvolution } from '../../engine/agents/evolution';
import { RandomSearch } from '../../engine/agents/random-search';
import type { SearchStrategy } from '../../engine/agents/strategy';
import { loadNb201, Nb201DataError, NB201_DATASETS, type Nb201Dataset, type Nb201Table } from '../../engine/evaluators/nb201';
import { TrainingEvaluator } from '../../engine/evaluators/training';
import { NasEnv } from '../../engine/envs/nas';
import { Nb201Env } from '../../engine/envs/nb201';
import { EnvProblem, type SearchProblem } from '../../engine/search/problems';
import { PpoSearch } from '../../engine/search/ppo-search';
import { SearchRun } from '../../engine/search/search-run';
import { CliError } from '../errors';
import { positiveInt } from '../options';
import { createOutput, createProgressBar, percent, snakeCaseKeys, type Output } from '../output';
import { loadPreparedData, startBackend, trainingConfigFrom, withTrainingOptions, type TrainingOptions } from '../setup';

const STRATEGIES = ['ppo', 'random', 'evolution'] as const;
const DEFAULT_ACTION_SET = 'resources/action-sets/original-design.json';

interface SearchOptions extends TrainingOptions {
  evaluator: 'training' | 'nb201';
  strategy: (typeof STRATEGIES)[number];
  budget: number;
  mode: 'full' | 'layerwise';
  reward: 'accuracy' | 'improvement';
  nb201Dataset: Nb201Dataset;
  nb201Dir?: string;
  actionSet: string;
}

export function registerSearch(program: Command): void {
  const command = program
    .command('search')
    .description('search for an architecture: a strategy proposes, an evaluator scores, the best is reported')
    .addOption(new Option('--evaluator <name>', 'train candidates, or look them up in NAS-Bench-201').choices(['training', 'nb201']).default('training'))
    .addOption(new Option('--strategy <name>', 'who proposes candidates').choices(STRATEGIES).default('ppo'))
    .option('--budget <n>', 'number of candidates to evaluate', positiveInt, 20)
    .addOption(new Option('--mode <mode>', 'propose whole networks or one layer at a time').choices(['full', 'layerwise']).default('full'))
    .addOption(new Option('--reward <kind>', "the agent's reward").choices(['accuracy', 'improvement']).default('accuracy'))
    .addOption(new Option('--nb201-dataset <name>', 'NAS-Bench-201 dataset').choices(NB201_DATASETS).default('cifar10'))
    .option('--nb201-dir <dir>', 'directory of the NAS-Bench-201 tables (default ../shared/benchmarks/nasbench201)')
    .option('--action-set <file>', 'the layers the search may use (JSON)', DEFAULT_ACTION_SET);
  withTrainingOptions(command, { epochs: 1 }).action(runSearch);
}

async function runSearch(options: SearchOptions): Promise<void> {
  if (options.mode === 'layerwise' && options.strategy !== 'ppo') {
    throw new CliError('--mode layerwise needs an agent that builds networks step by step', 'use --strategy ppo, or --mode full');
  }
  const output = createOutput(Boolean(options.json));
  const runId = randomUUID();
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);

  const bar = createProgressBar(output, 'candidate {value}/{total} [{bar}] best {best} | ETA {eta_formatted}');
  bar?.start(options.budget, 0, { best: '—' });
  let best = 0;
  const labels = new Map<number, string>();
  const onEvent = (event: SearchEvent) => {
      output.event(event.type, snakeCaseKeys({ ...event, type: undefined }));
      if (event.type === 'candidate_proposed') labels.set(event.index, event.label);
      if (event.type !== 'candidate_finished') return;
      best = Math.max(best, event.signal);
      bar?.update(event.index + 1, { best: percent(best) });
      if (!output.json) {
        bar?.stop();
        const note = event.cached ? '  (cached)' : event.error ? `  (${event.status}: ${event.error})` : '';
        output.line(`#${event.index + 1}  val ${percent(event.signal)}  reward ${event.reward.toFixed(3)}  ${labels.get(event.index)}${note}`);
        if (event.index + 1 < options.budget) bar?.start(options.budget, event.index + 1, { best: percent(best) });
      }
  };
  const budget = { evaluations: options.budget };
  const env = options.evaluator === 'nb201' ? new Nb201Env(loadTable(options), options.nb201Dataset) : await nasEnv(options, output);
  let search: PpoSearch | SearchRun;
  if (options.strategy === 'ppo') {
    search = new PpoSearch(env, { runId, evaluator: options.evaluator, budget, onEvent, ppo: { seed: options.seed } });
  } else {
    const problem = new EnvProblem(env, options.evaluator);
    search = new SearchRun(askTellStrategy(options, problem), problem, { runId, budget, onEvent });
  }
  const summary = await search.run(abort.signal);
  bar?.stop();
  process.off('SIGINT', onSigint);

  const top = summary.best;
  output.event('summary', {
    status: summary.status,
    run_id: runId,
    strategy: options.strategy,
    evaluator: options.evaluator,
    best_arch: top?.architecture ?? null,
    best_label: top?.label ?? null,
    best_signal: top?.evaluation.signal ?? null,
    best_test_acc: top?.evaluation.testAccuracy ?? null,
    evaluations: summary.evaluations,
    cache_hits: summary.cacheHits,
  });
  output.line(`\nbest of ${summary.evaluations} (${summary.cacheHits} cached): #${(top?.index ?? 0) + 1} ${top?.label ?? '—'}`);
  output.line(`validation ${percent(top?.evaluation.signal)}  test ${percent(top?.evaluation.testAccuracy)}`);
  if (summary.status === 'cancelled') throw new CliError('search cancelled', undefined, 130);
}

/** Random search or regularized evolution, within the problem's masks. */
function askTellStrategy(options: SearchOptions, problem: SearchProblem): SearchStrategy {
  const { nvec, slotMask } = problem;
  const { seed } = options;
  return options.strategy === 'random' ? new RandomSearch(nvec, seed, undefined, slotMask) : new RegularizedEvolution(nvec, { seed, slotMask });
}

function loadTable(options: SearchOptions): Nb201Table {
  try {
    return loadNb201(options.nb201Dir);
  } catch (error) {
    if (error instanceof Nb201DataError || (error as Error).message.includes('NAS-Bench-201')) {
      throw new CliError((error as Error).message, 'pass --nb201-dir or set GENNERATOR_NB201_DIR', 1);
    }
    throw error;
  }
}

async function nasEnv(options: SearchOptions, output: Output): Promise<NasEnv> {
  let set;
  try {
    set = parseActionSet(JSON.parse(readFileSync(options.actionSet, 'utf8')));
  } catch (error) {
    const reason = error instanceof ActionSetError || error instanceof SyntaxError ? (error as Error).message : `cannot read: ${(error as Error).message}`;
    throw new CliError(`${options.actionSet}: ${reason}`, 'see resources/action-sets/ for examples');
  }
  await startBackend(options.backend, output);
  const data = await loadPreparedData(options);
  const grammar = new ActionGrammar(set, data.dataset.inputShape);
  if (!grammar.allowsAnyNetwork()) {
    throw new CliError(`action set "${set.name}" allows no network for input ${data.dataset.inputShape.join('×')}`, 'add edges to output or raise maxLayers');
  }
  const config = trainingConfigFrom(options);
  const evaluator = new TrainingEvaluator(data, config, { evaluateTest: true });
  output.line(`search   ${set.name}: ${grammar.countNetworks().toLocaleString('en')} networks of up to ${grammar.maxLayers} layers`);
  return new NasEnv({ grammar, evaluator, mode: options.mode, reward: { kind: options.reward } });
}
