/** Runs the real CLI as a user would (`npm run -s cli -- …` is `tsx src/cli/index.ts …`). */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON lines (lines that are not JSON are skipped). */
  events: Array<Record<string, unknown>>;
}

/** A fresh data directory, so no test reads or writes the user's history. */
export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'gennerator-test-'));
}

function testEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env, GENNERATOR_HOME: tempDataDir(), ...env };
  if (!('GENNERATOR_DB' in env)) delete merged.GENNERATOR_DB;
  return merged;
}

/**
 * The CLI as one Node process (tsx as a loader, not tsx's wrapper process), so that killing its pid
 * kills the CLI itself: what the fault tests need.
 */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], { cwd: REPO_ROOT, env: testEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Dawn's Vulkan backend writes this line to stderr itself (native code, out of the CLI's reach) when
 * an adapter reports limits above what Dawn supports: Mesa's lavapipe, the software GPU the webgpu
 * tests use, does; hardware drivers report smaller limits. It is not the CLI's output.
 */
const DAWN_LIMIT_WARNING = /^Warning: \w+ artificially reduced from \d+ to \d+ to fit dynamic offset allocation limit\.\n/gm;

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, ['src/cli/index.ts', ...args], { cwd: REPO_ROOT, env: testEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const events = stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      resolve({ code, stdout, stderr: stderr.replace(DAWN_LIMIT_WARNING, ''), events });
    });
  });
}
