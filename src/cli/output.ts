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

export const percent = (fraction: number | undefined): string =>
  fraction === undefined ? '—' : `${(fraction * 100).toFixed(2)}%`;
