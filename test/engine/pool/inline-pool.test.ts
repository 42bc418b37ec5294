/** NAS-Bench-201 lookups need no process: an inline pool of N keeps N candidates in flight for the agents. */
import { describe, expect, it } from 'vitest';
import type { SearchEvent } from '../../../src/shared/events';
import type { SearchAgent } from '../../../src/engine/agents/agent';
import { RegularizedEvolution } from '../../../src/engine/agents/evolution';
import { PpoAgent } from '../../../src/engine/agents/ppo-agent';
import { RandomSearch } from '../../../src/engine/agents/random-search';
import { loadNb201 } from '../../../src/engine/evaluators/nb201';
import { nb201Search } from '../../../src/engine/search/nb201-search';
import type { Nb201Space } from '../../../src/engine/search/space';
import { nb201DataDir } from '../../support/nb201';

const DATA = nb201DataDir();
const table = DATA ? loadNb201(DATA) : undefined;

const AGENTS: Array<[string, (space: Nb201Space) => SearchAgent]> = [
  ['random', (space) => new RandomSearch(space.nvec, 1)],
  ['evolution', (space) => new RegularizedEvolution(space.nvec, { seed: 1 })],
  ['ppo', (space) => new PpoAgent({ space, mode: 'full', seed: 1 })],
];

describe.skipIf(!DATA)('NAS-Bench-201 with several workers', () => {
  it.each(AGENTS)('%s keeps four candidates in flight and every index finishes once', async (_name, makeAgent) => {
    const events: SearchEvent[] = [];
    const summary = await nb201Search(table!, 'cifar10', makeAgent, { budget: 40, workers: 4, onEvent: (e) => events.push(e) }).run();
    expect(summary).toMatchObject({ status: 'completed', evaluations: 40 });
    const finished = events.flatMap((e) => (e.type === 'candidate_finished' ? [e.index] : []));
    expect([...finished].sort((a, b) => a - b)).toEqual([...Array(40).keys()]);
    // The fourth candidate is asked for before the first is told.
    const position = (type: SearchEvent['type'], index: number) => events.findIndex((e) => e.type === type && 'index' in e && e.index === index);
    expect(position('candidate_proposed', 3)).toBeLessThan(position('candidate_finished', 0));
    expect(position('candidate_proposed', 4)).toBeGreaterThan(position('candidate_finished', 0));
  });
});
