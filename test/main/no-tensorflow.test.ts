/**
 * TensorFlow.js belongs to the engine process. The main process's services (browser mode's too) and
 * the CLI's commands that train nothing must not load it: it is large and slow to start, and only
 * the engine (a process of its own) trains. Each check runs in a child process whose preload
 * records every @tensorflow module loaded by the time it exits.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDataDir } from '../support/cli';

const PRELOAD = ['--import', 'tsx', '--import', './test/support/report-tensorflow.ts'];

/** Runs `node <preload> args…` in the repository; `whenStarted` may end a long-running command. */
function loadedTensorflow(args: string[], whenStarted?: (stdout: string) => boolean): Promise<{ code: number | null; stderr: string; loaded: string[] }> {
  const home = tempDataDir();
  const report = join(home, 'tf-report.json');
  const child = spawn(process.execPath, [...PRELOAD, ...args], { cwd: REPO_ROOT, env: { ...process.env, GENNERATOR_HOME: home, GENNERATOR_DB: join(home, 'history.db'), GENNERATOR_TF_REPORT: report } });
  let stdout = '';
  let stderr = '';
  let stopping = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (!stopping && whenStarted?.(stdout)) stopping = child.kill('SIGTERM');
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve({ code, stderr, loaded: JSON.parse(readFileSync(report, 'utf8')) as string[] });
      } catch (error) {
        reject(new Error(`no report from ${args.join(' ')} (exit ${code}): ${(error as Error).message}\n${stderr}`));
      }
    });
  });
}

const importing = (...modules: string[]) => loadedTensorflow(['test/support/import-modules.ts', ...modules]);
const cli = (...args: string[]) => loadedTensorflow(['src/cli/index.ts', ...args]);

describe('TensorFlow.js stays in the engine process', () => {
  it('the probe sees it when it is loaded (the engine process entry and its run setup do)', async () => {
    const { loaded } = await importing('src/engine/run/engine-service.ts');
    expect(loaded.some((path) => path.includes('@tensorflow/tfjs-core'))).toBe(true);
  });

  it('the main-process services do not load it', async () => {
    const services = ['app-services', 'api-handlers', 'export-archive', 'browser-mode', 'ws-server', 'run-supervisor', 'exporter', 'backend-probe', 'engine-child', 'tune-supervisor', 'tune-tasks'];
    const { loaded } = await importing(...services.map((name) => `src/main/services/${name}.ts`), 'src/main/db/index.ts', 'src/main/paths.ts', 'src/engine/run/launch-checks.ts');
    expect(loaded).toEqual([]);
  });

  it.each([
    [['runs', 'list', '--json'], 0],
    [['runs', 'show', 'nope'], 2],
    [['export', 'nope', '--out', 'unused'], 2],
    // Refused by the launch checks, which look at the files in the CLI's own process.
    [['search', '--dataset', 'fashion-mnist', '--data-dir', '/nonexistent', '--action-set', 'resources/action-sets/mlp.json'], 2],
    [['search', '--evaluator', 'nb201', '--nb201-dir', '/nonexistent'], 2],
    [['search', '--strategy', 'random', '--mode', 'layerwise', '--action-set', 'resources/action-sets/mlp.json'], 2],
    [['train', '--help'], 0],
    [['--help'], 0],
  ])('the CLI does not load it for %j', async (args, exitCode) => {
    const run = await cli(...args);
    expect(run.code, run.stderr).toBe(exitCode);
    expect(run.loaded).toEqual([]);
  });

  it('nor does browser mode (cli serve), whose engines are processes of their own', async () => {
    const renderer = join(tempDataDir(), 'renderer');
    mkdirSync(renderer);
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>stand-in</title>');
    const run = await loadedTensorflow(['src/cli/index.ts', 'serve', '--port', '0', '--no-build', '--renderer', renderer], (stdout) => stdout.includes('"type":"serving"'));
    expect(run.stderr).toContain('geNNerator is at http://127.0.0.1:');
    expect(run.loaded).toEqual([]);
  });
});
