/** Command-line values of the benches (node:util parseArgs gives strings). */

/** `--name`'s value as a positive integer; the error names the option. */
export function positiveIntArg(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}
