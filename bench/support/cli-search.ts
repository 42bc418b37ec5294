/** The CLI's `search` as a user runs it, in a history of its own: its JSON events, each with the moment it arrived. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface TimedEvent {
  /** Seconds since the CLI was started. */
  at: number;
  event: { type: string } & Record<string, unknown>;
}

export interface CliSearch {
  events: TimedEvent[];
  /** From start to exit. */
  wallSeconds: number;
  /** The last line: `{"type":"summary",…}`. */
  summary: Record<string, unknown>;
}

const ROOT = new URL('../..', import.meta.url);

/** Runs `search …args --json` in a temporary history (no other run's results are reused) and resolves once it exits 0. */
export async function cliSearch(args: readonly string[]): Promise<CliSearch> {
  const home = mkdtempSync(join(tmpdir(), 'gennerator-bench-'));
  try {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    const cli = ['--import', 'tsx', 'src/cli/index.ts', 'search', ...args, '--json', '--db', join(home, 'history.db')];
    const child = spawn(process.execPath, cli, { cwd: ROOT, env: { ...process.env, GENNERATOR_HOME: home }, stdio: ['ignore', 'pipe', 'inherit'] });
    const events: TimedEvent[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('{')) events.push({ at: seconds(), event: JSON.parse(line) as TimedEvent['event'] });
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (code !== 0) throw new Error(`search ${args.join(' ')} exited with ${code}`);
    return { events, wallSeconds: seconds(), summary: events.at(-1)!.event };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
