/** What the CLI tests expect of every command's end: the runs it left in a history, and one error line then a hint. */
import { expect } from 'vitest';
import { runCli } from './cli';

/** The runs a history holds, as `runs list --json` shows them. */
export async function runsIn(db: string): Promise<Array<Record<string, unknown>>> {
  const listed = await runCli(['runs', 'list', '--json', '--db', db]);
  expect(listed.code, listed.stderr).toBe(0);
  return JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
}

/**
 * stderr ends with one `error:` line, detail lines (indented) and one `hint:` line, and shows no
 * stack frame. (Before it, an engine's backend may have said something, e.g. tfjs's note on the cpu backend.)
 */
export function expectOneError(stderr: string): string[] {
  const all = stderr.trim().split('\n');
  expect(all.filter((line) => line.startsWith('error: ')), stderr).toHaveLength(1);
  const lines = all.slice(all.findIndex((line) => line.startsWith('error: ')));
  expect(lines.at(-1), stderr).toMatch(/^hint: /);
  expect(lines.slice(1, -1).every((line) => line.startsWith('  ')), stderr).toBe(true);
  expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  return lines;
}
