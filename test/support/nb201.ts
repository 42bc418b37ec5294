import { resolveNb201Dir } from '../../src/engine/evaluators/nb201';

/** The NAS-Bench-201 tables' directory, or undefined where they are absent (data-driven tests skip). */
export function nb201DataDir(): string | undefined {
  try {
    return resolveNb201Dir();
  } catch {
    return undefined;
  }
}
