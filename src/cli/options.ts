/** Option parsers shared by the commands: each rejects bad input with a message naming the option. */
import { InvalidArgumentError } from 'commander';
import { readFileSync } from 'node:fs';
import { ArchitectureError, parseArchitecture, type Architecture } from '../shared/architecture';
import { DATASET_NAMES } from '../shared/run-config';
import { parseRedisUrl, RedisUrlError } from '../shared/redis-url';
import { CliError } from './errors';

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`expected a positive integer, got "${value}".`);
  }
  return n;
}

export function nonNegativeInt(value: string): number {
  return value.trim() === '0' ? 0 : positiveInt(value);
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError(`expected a positive number, got "${value}".`);
  }
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new InvalidArgumentError(`expected a number ≥ 0, got "${value}".`);
  }
  return n;
}

export const FOLDER_PREFIX = 'folder:';
const BUILTIN_DATASETS: readonly string[] = DATASET_NAMES.filter((name) => name !== 'folder');

/** `--dataset`: a built-in dataset's name, or `folder:PATH` (kept as typed; setup.ts's dataOptionsOf splits it). */
export function datasetArgument(value: string): string {
  if (BUILTIN_DATASETS.includes(value)) return value;
  if (value.startsWith(FOLDER_PREFIX) && value.length > FOLDER_PREFIX.length) return value;
  throw new InvalidArgumentError(`expected ${BUILTIN_DATASETS.join(', ')} or ${FOLDER_PREFIX}PATH, got "${value}".`);
}

/** A Redis URL (checked here; its error never shows the password). */
export function redisUrl(value: string): string {
  try {
    parseRedisUrl(value);
    return value.trim();
  } catch (error) {
    if (error instanceof RedisUrlError) throw new InvalidArgumentError(`${error.message}.`);
    throw error;
  }
}

/** `--arch` takes a JSON file or inline JSON (anything starting with `[` or `{`). */
export function readArchitecture(value: string): Architecture {
  const inline = /^\s*[[{]/.test(value);
  const where = inline ? 'inline --arch JSON' : value;
  let text = value;
  if (!inline) {
    try {
      text = readFileSync(value, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new CliError(
        `cannot read architecture file ${value}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
        'pass a JSON file such as resources/architectures/small-cnn.json, or inline JSON',
      );
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${where}: invalid JSON: ${(error as Error).message}`, 'an architecture is a JSON list of layers');
  }
  try {
    return parseArchitecture(json);
  } catch (error) {
    if (error instanceof ArchitectureError) {
      throw new CliError(`${where}: ${error.message}`, 'see the layer catalog in README.md');
    }
    throw error;
  }
}
