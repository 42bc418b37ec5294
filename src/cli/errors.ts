/**
 * How every command ends: its exit code, and for an error one line (`error: …`), the lines that
 * detail it when there are several problems, and a hint. Printed once, by index.ts, never with a
 * stack trace (GENNERATOR_DEBUG=1 adds the stack of an unexpected error, for a bug report).
 */

/** The exit codes every command uses (README, "Exit codes"). */
export const EXIT = {
  ok: 0,
  /** The command started and failed: a run that failed or was interrupted, training that diverged, an export that could not be written. */
  failed: 1,
  /** The command refused what it was given, before doing anything: bad arguments or options, unreadable or invalid input files, an unknown run. */
  usage: 2,
  /** Stopped by Ctrl-C (SIGINT): 128 + 2, as shells report it. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the user can fix: one line, optional detail lines, a hint; never a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode: ExitCode = EXIT.usage,
    /** One line each, printed under the error (e.g. every problem of an action set file). */
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** What index.ts prints for a CliError. */
export function formatCliError(error: CliError): string {
  const details = error.details.map((line) => `  ${line}\n`).join('');
  return `error: ${error.message}\n${details}${error.hint ? `hint: ${error.hint}\n` : ''}`;
}

/** An error nobody anticipated: its first line, and the stack only when asked for. */
export function formatUnexpectedError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n')[0];
  const stack = process.env.GENNERATOR_DEBUG && error instanceof Error && error.stack ? `${error.stack}\n` : '';
  return `error: ${firstLine}\n${stack}hint: this looks like a bug in geNNerator; GENNERATOR_DEBUG=1 prints where it happened\n`;
}
