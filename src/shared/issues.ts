/**
 * Validation problems as people read them: a path into the JSON (`nodes[2].layer`) and a short
 * message (`missing`, `expected an integer, got 2.5`). Zod's own messages ("Invalid input: expected
 * int, received number") are written for programmers; these are for whoever wrote the file.
 */
import type { z } from 'zod';

export interface PathProblem {
  /** Where in the JSON: `maxLayers`, `nodes[2].layer`, `edges[4].to`; '' for the whole document. */
  path: string;
  message: string;
}

/** `['nodes', 2, 'layer']` → `nodes[2].layer`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '');
}

const KINDS: Record<string, string> = {
  int: 'an integer',
  number: 'a number',
  string: 'text',
  object: 'an object',
  array: 'a list',
  boolean: 'true or false',
};

function shown(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

/** One issue's message, without its path. Parse with `{ reportInput: true }` for "got …" in type errors. */
export function issueMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined && /received undefined$/.test(issue.message)) return 'missing';
      const expected = `expected ${KINDS[issue.expected] ?? issue.expected}`;
      return 'input' in issue ? `${expected}, got ${shown(issue.input)}` : expected;
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'array') return `needs at least ${min} ${min === 1 ? 'item' : 'items'}`;
      if (issue.origin === 'string') return min === 1 ? 'must not be empty' : `needs at least ${min} characters`;
      return `${'input' in issue ? `${shown(issue.input)} is too small: ` : ''}must be ${issue.inclusive ? 'at least' : 'more than'} ${min}`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'array') return `has more than ${max} items`;
      if (issue.origin === 'string') return `has more than ${max} characters`;
      return `${'input' in issue ? `${shown(issue.input)} is too big: ` : ''}must be ${issue.inclusive ? 'at most' : 'less than'} ${max}`;
    }
    case 'invalid_value':
      return `expected ${issue.values.map(shown).join(' or ')}${'input' in issue ? `, got ${shown(issue.input)}` : ''}`;
    case 'invalid_union':
      return issue.message === 'Invalid input' ? 'not a valid value here' : issue.message;
    case 'unrecognized_keys':
      return `unknown ${issue.keys.length === 1 ? 'field' : 'fields'} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    default:
      return issue.message.replace(/^Invalid input: /, '');
  }
}

/** Each issue as a path and a message; an unknown field is reported at its own path. */
export function issueProblems(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): PathProblem[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: formatPath([...path, key]), message: 'unknown field' }));
    return [{ path: formatPath(path), message: issueMessage(issue) }];
  });
}

/** `path: message`, or the message alone for the whole document. */
export function problemText(problem: PathProblem): string {
  return problem.path ? `${problem.path}: ${problem.message}` : problem.message;
}
