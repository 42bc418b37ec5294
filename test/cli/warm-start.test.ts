/**
 * Warm starts from the command line: a PPO run with the GP predictor and --warm-start learns from
 * the earlier runs in the history on the same action set and data before its first proposal.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDataDir } from '../support/cli';

const db = join(tempDataDir(), 'history.db');
const search = (...extra: string[]) =>
  runCli(['search', '--strategy', 'ppo', '--predictor', 'gp', '--epochs', '1', '--seed', '3', '--action-set', 'resources/action-sets/mlp.json', '--db', db, '--json', ...extra]);

type Proposed = { action: number[]; hash: string; prediction?: { mean: number; std: number } };
const proposals = (events: Array<Record<string, unknown>>) => events.filter((e) => e.type === 'candidate_proposed') as unknown as Proposed[];

describe('search --warm-start', () => {
  it('begins from the earlier runs on the same action set and data, and says from how many', async () => {
    const cold = await search('--dataset', 'synthetic', '--budget', '6');
    expect(cold.code, cold.stderr).toBe(0);
    expect(cold.events.some((e) => e.type === 'warm_start')).toBe(false);
    // Cold, the first five proposals are uniform: the predictor needs five results.
    expect(proposals(cold.events)[0].prediction).toBeUndefined();

    const warm = await search('--dataset', 'synthetic', '--budget', '6', '--warm-start');
    expect(warm.code, warm.stderr).toBe(0);
    expect(warm.events.find((e) => e.type === 'warm_start')).toEqual({ type: 'warm_start', evaluations: 6, runs: 1 });
    // The predictor is fitted on them before the first proposal, which comes with its estimate.
    expect(warm.events.find((e) => e.type === 'agent_updated')).toMatchObject({ evaluations: 0, diagnostics: { train_size: 6 } });
    const first = proposals(warm.events);
    expect(first[0].prediction).toBeDefined();
    expect(first.map((p) => p.hash)).not.toEqual(proposals(cold.events).map((p) => p.hash));
    const known = proposals(cold.events).map((p) => p.action.join());
    for (const p of first) expect(known).not.toContain(p.action.join());

    const runId = (warm.events[0] as { run_id: string }).run_id;
    const shown = await runCli(['runs', 'show', runId, '--db', db]);
    expect(shown.stdout).toMatch(/warm {5}from 6 earlier evaluations of 1 run/);
    const json = JSON.parse((await runCli(['runs', 'show', runId, '--json', '--db', db])).stdout) as { config: { warm_start?: boolean; warmStart?: boolean }; warm_start: unknown };
    expect(json.config.warmStart).toBe(true);
    expect(json.warm_start).toEqual({ evaluations: 6, runs: 1 });
  });

  it('finds nothing to begin from on another dataset', async () => {
    const run = await search('--dataset', 'fashion-mnist', '--subset', '200', '--budget', '1', '--warm-start');
    expect(run.code, run.stderr).toBe(0);
    expect(run.events.find((e) => e.type === 'warm_start')).toEqual({ type: 'warm_start', evaluations: 0, runs: 0 });
    expect(proposals(run.events)[0].prediction).toBeUndefined();
  });

  it('needs the GP predictor', async () => {
    const run = await runCli(['search', '--strategy', 'ppo', '--warm-start', '--db', db]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--warm-start: a warm start seeds the PPO agent's predictor/);
    expect(run.stderr).toMatch(/hint: use --strategy ppo --predictor gp/);
  });
});
