/** The history from the command line: search writes it, runs/resume/export read and extend it. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backends';
import { loadDataset, prepareData } from '../../src/engine/data';
import { loadLayersModelFromDir } from '../../src/engine/model/capture';
import { evaluateModel } from '../../src/engine/train/trainer';
import { runCli, tempDataDir } from '../support/cli';

const db = join(tempDataDir(), 'history.db');
const search = ['search', '--dataset', 'synthetic', '--strategy', 'random', '--epochs', '2', '--seed', '4', '--action-set', 'resources/action-sets/mlp.json', '--db', db];
let runId: string;

beforeAll(async () => {
  const run = await runCli([...search, '--budget', '4', '--json', '--name', 'first']);
  expect(run.code, run.stderr).toBe(0);
  runId = (run.events[0] as { run_id: string }).run_id;
});

describe('runs', () => {
  it('list shows the run with its progress and best', async () => {
    const run = await runCli(['runs', 'list', '--json', '--db', db]);
    expect(run.code, run.stderr).toBe(0);
    const [listed] = JSON.parse(run.stdout) as Array<Record<string, unknown>>;
    expect(listed).toMatchObject({ id: runId, name: 'first', status: 'completed', strategy: 'random', evaluations: 4, budget: 4 });
    const text = await runCli(['runs', 'list', '--db', db]);
    expect(text.stdout).toMatch(new RegExp(`${runId.slice(0, 8)}\\s+first\\s+completed\\s+random\\s+training\\s+synthetic\\s+4/4`));
  });

  it('show --json is the documented object, with every candidate', async () => {
    const run = await runCli(['runs', 'show', runId.slice(0, 6), '--json', '--db', db]);
    expect(run.code, run.stderr).toBe(0);
    const shown = JSON.parse(run.stdout) as { id: string; status: string; budget: number; config: { strategy: string }; candidates: Array<Record<string, unknown>> };
    expect(Object.keys(shown)).toEqual(['id', 'status', 'budget', 'config', 'warm_start', 'candidates']);
    expect(shown).toMatchObject({ id: runId, status: 'completed', budget: 4, config: { strategy: 'random', seed: 4 } });
    expect(shown.candidates.map((c) => c.index)).toEqual([0, 1, 2, 3]);
    for (const c of shown.candidates) expect(Object.keys(c)).toEqual(['index', 'status', 'arch_hash', 'reward', 'valid_acc', 'epochs_reached']);
  });

  it('an unknown id says so and how to find one', async () => {
    const run = await runCli(['runs', 'show', 'ffffffff', '--db', db]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: .*ffffffff/);
    expect(run.stderr).toMatch(/hint: see `runs list`/);
  });
});

describe('resume and extend', () => {
  it('resuming a completed run needs a larger budget; extending continues it and reuses nothing twice', async () => {
    const refused = await runCli(['resume', runId, '--db', db]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/evaluated 4 of its budget of 4: extend it with a larger budget/);
    const extended = await runCli(['resume', runId, '--budget', '7', '--json', '--db', db]);
    expect(extended.code, extended.stderr).toBe(0);
    expect(extended.events.find((e) => e.type === 'run_started')).toMatchObject({ evaluations: 4, budget: 7 });
    expect(extended.events.filter((e) => e.type === 'candidate_finished').map((e) => e.index)).toEqual([4, 5, 6]);
    expect(extended.events.at(-1)).toMatchObject({ type: 'summary', status: 'completed', evaluations: 7, budget: 7 });
  });

  it('a second run with the same settings reuses the first run\'s results from the cache', async () => {
    const second = await runCli([...search, '--budget', '7', '--json']);
    expect(second.code, second.stderr).toBe(0);
    const finished = second.events.filter((e) => e.type === 'candidate_finished');
    expect(finished.every((e) => e.cached)).toBe(true);
    expect(second.events.filter((e) => e.type === 'epoch_done')).toHaveLength(0);
    const secondId = (second.events[0] as { run_id: string }).run_id;
    const shown = await runCli(['runs', 'show', secondId, '--db', db]);
    expect(shown.stdout).toMatch(/completed \(cached\)/);
  });
});

describe('export', () => {
  it('writes the best model in layers format; it loads back and gives the recorded test accuracy', async () => {
    const out = join(tempDataDir(), 'export');
    const run = await runCli(['export', runId, '--out', out, '--json', '--db', db]);
    expect(run.code, run.stderr).toBe(0);
    const exported = run.events[0] as { index: number; test_acc: number; files: string[] };
    for (const file of ['model.json', 'weights.bin', 'architecture.json', 'history.json', 'candidates.csv', 'epochs.csv']) expect(existsSync(join(out, file)), file).toBe(true);
    const modelJson = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as { format: string; weightsManifest: unknown[] };
    expect(modelJson.format).toBe('layers-model');

    await initBackend('wasm');
    const model = await loadLayersModelFromDir(out);
    const data = prepareData(await loadDataset({ name: 'synthetic', seed: 4 }), { seed: 4 });
    const { accuracy } = await evaluateModel(model, data.test, data.dataset.inputShape, data.dataset.numClasses);
    expect(accuracy).toBe(exported.test_acc);
    model.dispose();

    const csv = readFileSync(join(out, 'candidates.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('index,status,arch_hash,label,params,reward,valid_acc,test_acc,train_loss,valid_loss,seconds,cached,error,epochs_reached');
    expect(csv).toHaveLength(1 + 7);
    const epochs = readFileSync(join(out, 'epochs.csv'), 'utf8').trim().split('\n');
    expect(epochs.length - 1).toBe(2 * JSON.parse(readFileSync(join(out, 'history.json'), 'utf8')).candidates.filter((c: { epochs: unknown[] }) => c.epochs.length).length);
  });

  it('a candidate whose weights were not kept gives a clear error', async () => {
    const shown = JSON.parse((await runCli(['runs', 'show', runId, '--json', '--db', db])).stdout) as { candidates: Array<{ index: number; status: string; valid_acc: number }> };
    // Weights are kept for each new best only: find a completed candidate that was not one.
    let runningBest = -1;
    const notKept = shown.candidates.find((c) => {
      const newBest = c.valid_acc > runningBest;
      runningBest = Math.max(runningBest, c.valid_acc);
      return c.status === 'completed' && !newBest;
    });
    expect(notKept).toBeDefined();
    if (!notKept) return;
    const run = await runCli(['export', `${runId}:${notKept.index}`, '--out', join(tempDataDir(), 'x'), '--db', db]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/were not kept .*--keep-models all/);
  });
});
