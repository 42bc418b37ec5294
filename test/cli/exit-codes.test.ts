/**
 * How every command ends (README, "Exit codes"): 2 when it refuses what it was given, before doing
 * anything (and a refused search records no run); 1 when something it started failed; 130 when
 * Ctrl-C stopped it. Each error is printed once, as one line (an action set file's problems one
 * per line under it), then a hint; never a stack trace.
 */
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli, tempDataDir } from '../support/cli';
import { expectOneError, runsIn } from '../support/cli-expect';
import { idxImages, idxLabels } from '../engine/data/helpers';

const MLP = 'resources/action-sets/mlp.json';

describe('a search refused before it exists: exit 2, one line naming the option and the fix, no run recorded', () => {
  it.each([
    [['--subset', '5'], /^error: --subset: a subset of 5 is smaller than the 10 classes of Fashion-MNIST: use at least 10 images/],
    [['--data-dir', '/nonexistent'], /^error: --data-dir: \/nonexistent: directory not found/],
  ])('search --dataset fashion-mnist %j', async (extra, error) => {
    const db = join(tempDataDir(), 'history.db');
    expect(await runsIn(db)).toEqual([]);
    const run = await runCli(['search', '--dataset', 'fashion-mnist', ...extra, '--budget', '2', '--epochs', '1', '--action-set', MLP, '--db', db]);
    expect(run.code, run.stderr).toBe(2);
    const lines = expectOneError(run.stderr);
    expect(lines).toHaveLength(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(2);
    expect(lines[0]).toMatch(error);
    expect(run.stdout).toBe('');
    expect(await runsIn(db)).toEqual([]);
  });

  it('an action set file with several problems: each on its own line with its path', async () => {
    const dir = tempDataDir();
    const file = join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify({ name: 'broken', maxLayers: 2.5, nodes: [{ id: 'a' }, { id: 'b', layer: { type: 'dense', units: 8 } }], edges: [{ from: 'b', to: 'nowhere' }] }));
    const db = join(dir, 'history.db');
    const run = await runCli(['search', '--dataset', 'synthetic', '--budget', '1', '--action-set', file, '--db', db]);
    expect(run.code).toBe(2);
    expect(expectOneError(run.stderr)).toEqual([
      `error: ${file}: action set: 3 problems:`,
      '  maxLayers: expected an integer, got 2.5',
      '  nodes[0].layer: missing',
      '  edges[0].to: no node "nowhere"',
      'hint: see resources/action-sets/ for examples',
    ]);
    expect(await runsIn(db)).toEqual([]);
  });

  it.each([
    [['search', '--budget', 'many']],
    [['search', '--no-such-option']],
    [['no-such-command']],
    [['runs', 'show', 'ffffffff']],
    [['resume', 'ffffffff']],
    [['export', 'ffffffff', '--out', 'unused']],
    [['train', '--arch', 'no/such/file.json']],
  ])('%j exits 2, the error printed once', async (args) => {
    const run = await runCli([...args, '--db', join(tempDataDir(), 'history.db')]);
    expect(run.code, run.stderr).toBe(2);
    expectOneError(run.stderr);
  });
});

describe('a search that starts and fails or is stopped', () => {
  it('exits 1 when the run fails, says so once, and keeps the failed run (which asks for changes, not a resume)', async () => {
    const dir = tempDataDir();
    // Headers that pass the launch checks, image data cut short: the engine finds it when it loads the data.
    const truncated = idxImages(20, 28, 28, () => 7).subarray(0, 16 + 784);
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(truncated));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(idxLabels(Array.from({ length: 20 }, (_, i) => i % 10))));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(idxImages(10, 28, 28, () => 7)));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(idxLabels(Array.from({ length: 10 }, (_, i) => i))));
    const db = join(dir, 'history.db');
    const run = await runCli(['search', '--dataset', 'fashion-mnist', '--data-dir', dir, '--budget', '1', '--action-set', MLP, '--backend', 'cpu', '--db', db]);
    expect(run.code, run.stderr).toBe(1);
    const lines = expectOneError(run.stderr);
    expect(lines[0]).toMatch(/^error: search failed: .*train-images-idx3-ubyte\.gz: truncated/);
    expect(lines.at(-1)).toMatch(/it failed while setting up: change what the error names and run the search again/);
    expect(run.stdout).not.toMatch(/truncated/);
    const [failed] = await runsIn(db);
    expect(failed).toMatchObject({ status: 'failed', status_reason: expect.stringMatching(/truncated/) });
    const resumed = await runCli(['resume', String(failed.id), '--db', db]);
    expect(resumed.code).toBe(2);
    expect(expectOneError(resumed.stderr)[0]).toMatch(/failed while setting up .*resuming would fail the same way/);
  });

  it('exits 130 when Ctrl-C stops it; the run is stopped and resumable', async () => {
    const db = join(tempDataDir(), 'history.db');
    const cli = spawnCli(['search', '--dataset', 'synthetic', '--strategy', 'random', '--budget', '500', '--epochs', '1', '--action-set', MLP, '--backend', 'cpu', '--json', '--db', db]);
    let stdout = '';
    let stderr = '';
    cli.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve) => {
      cli.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('"type":"candidate_finished"')) resolve();
      });
    });
    cli.kill('SIGINT');
    const [code] = (await once(cli, 'exit')) as [number | null];
    expect(code, stderr).toBe(130);
    expectOneError(stderr);
    expect(stderr).toMatch(/hint: continue it with `resume /);
    expect((await runsIn(db))[0]).toMatchObject({ status: 'stopped' });
  });
});
