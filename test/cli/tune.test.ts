/**
 * The second mode from the command line, end to end on real Fashion-MNIST (a small subset, one or two
 * epochs): a controller learns on two networks, is listed and shown, is applied to a network it never
 * saw against baseline schedules (the session recorded, the model exported), survives a kill in the
 * middle of learning and resumes at the last finished episode, and steers a search's candidates; bad
 * input exits 2 with one error line.
 */
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli, tempDataDir } from '../support/cli';
import { expectOneError, runsIn } from '../support/cli-expect';

/** Only stops a hung command (the file took 7 min on this machine while it ran a CI and a benchmark besides). */
const TIMEOUT_MS = 600_000;

const dir = tempDataDir();
const db = join(dir, 'history.db');
const DATA = ['--dataset', 'fashion-mnist', '--subset', '600', '--backend', 'wasm', '--db', db];
const TINY = '{"name":"tiny","layers":[{"type":"flatten"},{"type":"dense","units":32}]}';
const WIDE = '{"name":"wide","layers":[{"type":"flatten"},{"type":"dense","units":64},{"type":"dropout","rate":0.1}]}';
/** Never seen while learning. */
const HELD_OUT = '{"name":"held-out","layers":[{"type":"flatten"},{"type":"dense","units":48},{"type":"dense","units":24}]}';

type Episode = { type: 'episode'; episode: number; task: string; status: string; return: number; valid_acc: number; interventions: number };
const episodes = (events: Array<Record<string, unknown>>) => events.filter((e) => e.type === 'episode') as unknown as Episode[];

interface Listed {
  controllers: Array<{ name: string; status: string; episodes_done: number; episodes: number; tasks: string[]; error?: string }>;
  sessions: Array<{ id: number; controller: string; task: string; status: string; results: Array<{ schedule: string; seeds: number; test_mean: number | null }> }>;
}
async function listed(): Promise<Listed> {
  const list = await runCli(['tune', 'list', '--json', '--db', db]);
  expect(list.code, list.stderr).toBe(0);
  return JSON.parse(list.stdout) as Listed;
}

describe('tune', () => {
  it('learns a controller on two networks, episode by episode, and lists it ready', async () => {
    const run = await runCli(['tune', 'learn', '--name', 'steer', '--arch', TINY, WIDE, '--epochs', '2', '--episodes', '2', '--seed', '1', '--json', ...DATA]);
    expect(run.code, run.stderr).toBe(0);
    const learned = episodes(run.events);
    expect(learned.map((e) => e.episode)).toEqual([1, 2]);
    expect(learned.map((e) => e.task).sort()).toEqual(['tiny', 'wide']);
    for (const e of learned) {
      expect(e.status).toBe('completed');
      // Ten classes: a network that learned anything is well above chance after two epochs.
      expect(e.valid_acc).toBeGreaterThan(0.3);
      expect(Number.isFinite(e.return)).toBe(true);
    }
    expect(run.events.at(-1)).toMatchObject({ type: 'summary', name: 'steer', status: 'ready', episodes_done: 2 });

    const { controllers } = await listed();
    expect(controllers).toEqual([expect.objectContaining({ name: 'steer', status: 'ready', episodes_done: 2, episodes: 2, tasks: ['tiny', 'wide'] })]);
    const shown = await runCli(['tune', 'show', 'steer', '--db', db]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^status {6}ready$/m);
    expect(shown.stdout).toMatch(/^learned {5}2 of 2 episodes, seed 1/m);
    // The learning curve: one row per episode, with its return.
    for (const e of learned) expect(shown.stdout).toMatch(new RegExp(`^${e.episode} +${e.task} +${e.return.toFixed(3)} `, 'm'));
  }, TIMEOUT_MS);

  it('learns with episodes in parallel worker processes: every episode recorded once, in order, with the checkpoint after it', async () => {
    const run = await runCli(['tune', 'learn', '--name', 'par', '--arch', TINY, WIDE, '--epochs', '1', '--decisions-per-epoch', '2', '--episodes', '4', '--parallel-episodes', '2', '--seed', '2', ...DATA]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^workers {5}2 processes, one learning episode each at a time$/m);
    const rows = run.stdout.split('\n').filter((line) => line.startsWith('episode '));
    expect(rows.map((line) => line.split(/ +/)[1])).toEqual(['1/4', '2/4', '3/4', '4/4']);
    // Each round visits both networks once.
    expect(rows.slice(0, 2).map((line) => line.split(/ +/)[2]).sort()).toEqual(['tiny', 'wide']);
    // Trained (above the 10 % of chance on ten classes), none diverged.
    for (const line of rows) expect(Number(/ val (\d+\.\d\d)% /.exec(line)?.[1]), line).toBeGreaterThan(10);
    expect(run.stdout).not.toMatch(/diverged/);
    const { controllers } = await listed();
    expect(controllers).toContainEqual(expect.objectContaining({ name: 'par', status: 'ready', episodes_done: 4, episodes: 4 }));
  }, TIMEOUT_MS);

  it('applies it to a network it never saw, against two baselines, and exports the steered model', async () => {
    const out = join(dir, 'export');
    const run = await runCli(['tune', 'apply', '--controller', 'steer', '--arch', HELD_OUT, '--epochs', '2', '--baselines', 'constant,cosine', '--seeds', '0', '--export', out, ...DATA]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^session {5}#\d+: controller steer on held-out, 2 epochs, seeds 0, baselines constant, cosine$/m);
    expect(run.stdout).toMatch(/^schedule the controller followed \(seed 0\): (no intervention|\d+ intervention\(s\))$/m);
    // The comparison table: one row per schedule with its test accuracy.
    const rows = run.stdout.split('\n').filter((line) => /^(controller|constant|cosine) +1 +\d+\.\d\d% /.test(line));
    expect(rows.map((r) => r.split(/ +/)[0])).toEqual(['controller', 'constant', 'cosine']);

    const { sessions } = await listed();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ controller: 'steer', task: 'held-out', status: 'completed' });
    expect(sessions[0].results.map((r) => [r.schedule, r.seeds])).toEqual([['controller', 1], ['constant', 1], ['cosine', 1]]);
    for (const r of sessions[0].results) expect(r.test_mean).toBeGreaterThan(0.3);

    for (const file of ['model.json', 'weights.bin', 'architecture.json', 'schedule.json']) expect(existsSync(join(out, file)), file).toBe(true);
    const schedule = JSON.parse(readFileSync(join(out, 'schedule.json'), 'utf8')) as { epochs: unknown[]; testAccuracy: number };
    expect(schedule.epochs).toHaveLength(2);
    expect(schedule.testAccuracy).toBeCloseTo(sessions[0].results[0].test_mean!, 10);
  }, TIMEOUT_MS);

  it('resumes a learn killed in the middle at its last finished episode', async () => {
    // Bigger than above, so that the kill lands while an episode trains.
    const args = ['tune', 'learn', '--name', 'killed', '--arch', 'resources/architectures/mlp.json', TINY, '--epochs', '2', '--episodes', '3', '--subset', '2000', '--json', '--dataset', 'fashion-mnist', '--backend', 'wasm', '--db', db];
    const cli = spawnCli(args);
    let stdout = '';
    await new Promise<void>((resolve) => {
      cli.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('"type":"episode"')) resolve();
      });
    });
    cli.kill('SIGKILL');
    await once(cli, 'exit');
    const before = episodes(stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>));
    const done = before.length;
    expect(done).toBeGreaterThanOrEqual(1);
    expect(done).toBeLessThan(3);

    // The next command to open the history finds its process gone: stopped, resumable, its episodes kept.
    const killed = (await listed()).controllers.find((c) => c.name === 'killed')!;
    expect(killed).toMatchObject({ status: 'stopped', episodes_done: done, error: expect.stringMatching(/stopped while the controller was learning \(process \d+ is gone\)/) });

    const resumed = await runCli(['tune', 'learn', '--name', 'killed', '--resume', '--json', '--backend', 'wasm', '--db', db]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(episodes(resumed.events).map((e) => e.episode)).toEqual(Array.from({ length: 3 - done }, (_, i) => done + 1 + i));
    expect(resumed.events.at(-1)).toMatchObject({ type: 'summary', status: 'ready', episodes_done: 3 });
    const shown = JSON.parse((await runCli(['tune', 'show', 'killed', '--json', '--db', db])).stdout) as { curve: Array<{ episode: number }> };
    expect(shown.curve.map((p) => p.episode)).toEqual([1, 2, 3]);
  }, TIMEOUT_MS);

  it('search --controller trains each candidate under the controller, apart from plainly trained results', async () => {
    const search = (...extra: string[]) =>
      runCli(['search', '--strategy', 'random', '--seed', '4', '--action-set', 'resources/action-sets/mlp.json', '--epochs', '2', ...DATA, ...extra]);
    const steered = await search('--budget', '2', '--controller', 'steer');
    expect(steered.code, steered.stderr).toBe(0);
    expect(steered.stdout).toMatch(/^search +fashion-mnist 28×28×1 · action set mlp: .* · each trained under controller steer$/m);
    // The same first proposal, trained plainly: not taken from the steered run's results.
    const plain = await search('--budget', '1', '--json');
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.events.find((e) => e.type === 'candidate_finished')).toMatchObject({ index: 0, cached: false });

    const [, steeredRun] = await runsIn(db);
    const shown = JSON.parse((await runCli(['runs', 'show', String(steeredRun.id), '--json', '--db', db])).stdout) as {
      status: string;
      config: { controller?: string };
      candidates: Array<{ status: string; valid_acc: number }>;
    };
    expect(shown).toMatchObject({ status: 'completed', config: { controller: 'steer' } });
    expect(shown.candidates).toHaveLength(2);
    for (const c of shown.candidates) if (c.status === 'completed') expect(c.valid_acc).toBeGreaterThan(0.2);
  }, TIMEOUT_MS);

  it('refuses an unknown controller, a bad network, a bad dataset and a taken name with exit 2 and one error line', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['tune', 'apply', '--controller', 'nope', '--arch', TINY, '--db', db], /^error: there is no controller named "nope" in the history$/],
      [['tune', 'apply', '--controller', 'steer', '--arch', join(dir, 'missing.json'), '--db', db], /^error: cannot read architecture file .*missing\.json: no such file$/],
      [['tune', 'apply', '--controller', 'steer', '--arch', '[{"type":"dense","units":-3}]', '--db', db], /^error: inline --arch JSON: /],
      [['tune', 'learn', '--name', 'x', '--arch', TINY, '--episodes', '1', '--dataset', 'mnist', '--db', db], /^error: option '--dataset <name>' argument 'mnist' is invalid/],
      [['tune', 'learn', '--name', 'x', '--arch', TINY, '--episodes', '1', '--dataset', 'fashion-mnist', '--data-dir', join(dir, 'nothing-here'), '--db', db], /^error: --data-dir: /],
      [['tune', 'learn', '--name', 'STEER', '--arch', TINY, '--episodes', '1', '--db', db], /^error: a controller named "steer" already exists$/],
      [['tune', 'learn', '--name', 'nobody', '--resume', '--db', db], /^error: there is no controller named "nobody" in the history$/],
      [['tune', 'learn', '--name', 'x', '--arch', TINY, '--episodes', '2', '--parallel-episodes', '65', '--db', db], /^error: --parallel-episodes: at most 64 episodes at once, got 65$/],
      [['tune', 'apply', '--controller', 'steer', '--arch', TINY, '--baselines', 'linear', '--db', db], /^error: --baselines: unknown schedule "linear"$/],
      [['tune', 'learn', '--name', 'x', '--arch', TINY, '--episodes', '1', '--epochs', '1', '--db', db], /^error: --epochs 1 with one decision per epoch leaves the controller no decision point/],
      [['search', '--controller', 'steer', '--epochs', '1', '--action-set', 'resources/action-sets/mlp.json', '--db', db], /^error: --controller: a controller decides at the end of each epoch but the last: it needs 2 epochs or more$/],
      [['search', '--controller', 'nope', '--epochs', '2', '--action-set', 'resources/action-sets/mlp.json', '--db', db], /^error: --controller: there is no controller named "nope" in the history$/],
    ];
    const before = await listed();
    for (const [args, message] of cases) {
      const run = await runCli(args);
      expect(run.code, `${args.join(' ')}\n${run.stderr}`).toBe(2);
      if (args.includes('mnist')) expect(run.stderr).toMatch(message);
      else expect(expectOneError(run.stderr)[0]).toMatch(message);
      expect(run.stdout).toBe('');
    }
    // Nothing was recorded or changed.
    expect(await listed()).toEqual(before);
  }, TIMEOUT_MS);
});
