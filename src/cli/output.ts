/** Two audiences, one stream of results: JSON lines for programs (--json), text for people. */
import cliProgress from 'cli-progress';

export interface Output {
  readonly json: boolean;
  /** A machine-readable event (only printed with --json). */
  event(type: string, fields: Record<string, unknown>): void;
  /** A line for people (only printed without --json). */
  line(text: string): void;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    event(type, fields) {
      if (json) process.stdout.write(`${JSON.stringify({ type, ...fields })}\n`);
    },
    line(text) {
      if (!json) process.stdout.write(`${text}\n`);
    },
  };
}

/** A progress bar on stderr for people at a terminal; absent with --json or when stderr is not a TTY. */
export function createProgressBar(output: Output, format: string): cliProgress.SingleBar | undefined {
  if (output.json || !process.stderr.isTTY) return undefined;
  return new cliProgress.SingleBar(
    { format, stream: process.stderr, hideCursor: true, clearOnComplete: true, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
}

/** camelCase keys → snake_case, recursively: the CLI's JSON speaks snake_case. Undefined values are dropped. */
export function snakeCaseKeys(value: unknown): Record<string, unknown> {
  const convert = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(convert);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .map(([k, x]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), convert(x)]),
    );
  };
  return convert(value) as Record<string, unknown>;
}

export const percent = (fraction: number | undefined): string =>
  fraction === undefined ? '—' : `${(fraction * 100).toFixed(2)}%`;

/** Left-aligned columns separated by two spaces. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')).join('\n');
}
