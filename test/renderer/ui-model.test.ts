/** The pure logic behind the shell: undo history, shortcuts, the address, the first screen's search, a time axis. */
import { describe, expect, it } from 'vitest';
import type { ActionSetRow } from '../../src/shared/history';
import { trainingTimeAxis } from '../../src/renderer/src/components/chart-series';
import { quickStartConfig } from '../../src/renderer/src/features/start/quick-start';
import { locationHash, parseLocation } from '../../src/renderer/src/lib/location';
import { isTyping, shortcutAction, SHORTCUTS, type KeyPress } from '../../src/renderer/src/lib/shortcuts';
import { emptyHistory, GROUP_MS, recordChange, redo, undo, UNDO_LIMIT } from '../../src/renderer/src/lib/undo-history';
import mlp from '../../resources/action-sets/mlp.json';

describe('undo history', () => {
  it('goes back and forth through the states before each change', () => {
    let h = emptyHistory<string>();
    h = recordChange(h, 'a', 0);
    h = recordChange(h, 'b', 5000);
    // now 'c'
    const back = undo(h, 'c')!;
    expect(back.state).toBe('b');
    const back2 = undo(back.history, 'b')!;
    expect(back2.state).toBe('a');
    expect(undo(back2.history, 'a')).toBeNull();
    const forth = redo(back2.history, 'a')!;
    expect(forth.state).toBe('b');
    expect(redo(forth.history, 'b')!.state).toBe('c');
  });

  it('makes a burst of changes of one group one step, and a new change clears the redo', () => {
    let h = emptyHistory<number>();
    h = recordChange(h, 0, 0, 'move:a');
    h = recordChange(h, 1, GROUP_MS / 2, 'move:a');
    h = recordChange(h, 2, GROUP_MS, 'move:a');
    expect(h.past).toEqual([0]);
    h = recordChange(h, 3, GROUP_MS * 3, 'move:a');
    expect(h.past).toEqual([0, 3]);
    h = recordChange(h, 4, GROUP_MS * 3 + 10, 'meta:name');
    expect(h.past).toEqual([0, 3, 4]);
    const back = undo(h, 5)!;
    expect(recordChange(back.history, 4, GROUP_MS * 10).future).toEqual([]);
    // Ungrouped changes never join.
    expect(recordChange(recordChange(emptyHistory<number>(), 0, 0), 1, 1).past).toEqual([0, 1]);
  });

  it('keeps at most UNDO_LIMIT steps', () => {
    let h = emptyHistory<number>();
    for (let i = 0; i < UNDO_LIMIT + 5; i++) h = recordChange(h, i, i * GROUP_MS * 2);
    expect(h.past.length).toBe(UNDO_LIMIT);
    expect(h.past[0]).toBe(5);
  });
});

describe('keyboard shortcuts', () => {
  const key = (k: string, mods: Partial<KeyPress> = {}): KeyPress => ({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });
  const anywhere = { typing: false, view: 'history' as const };
  const editor = { typing: false, view: 'editor' as const };

  it('maps keys to actions where they apply', () => {
    expect(shortcutAction(key('?', { shiftKey: true }), anywhere)).toBe('help');
    expect(shortcutAction(key('Escape'), anywhere)).toBe('close');
    expect(shortcutAction(key('3'), anywhere)).toBe('view:live');
    expect(shortcutAction(key('n'), anywhere)).toBe('new-run');
    expect(shortcutAction(key('p'), anywhere)).toBeNull();
    expect(shortcutAction(key('p'), { typing: false, view: 'live' })).toBe('pause-resume');
    expect(shortcutAction(key('z', { ctrlKey: true }), editor)).toBe('undo');
    expect(shortcutAction(key('z', { metaKey: true }), editor)).toBe('undo');
    expect(shortcutAction(key('Z', { ctrlKey: true, shiftKey: true }), editor)).toBe('redo');
    expect(shortcutAction(key('y', { ctrlKey: true }), editor)).toBe('redo');
    expect(shortcutAction(key('s', { ctrlKey: true }), editor)).toBe('save');
    expect(shortcutAction(key('z', { ctrlKey: true }), anywhere)).toBeNull();
  });

  it('leaves keys typed into a field to the field', () => {
    const typing = { typing: true, view: 'editor' as const };
    expect(shortcutAction(key('?'), typing)).toBeNull();
    expect(shortcutAction(key('2'), typing)).toBeNull();
    expect(shortcutAction(key('z', { ctrlKey: true }), typing)).toBeNull();
    expect(shortcutAction(key('s', { ctrlKey: true }), typing)).toBe('save');
    expect(isTyping({ tagName: 'INPUT', type: 'text', isContentEditable: false })).toBe(true);
    expect(isTyping({ tagName: 'INPUT', type: 'checkbox', isContentEditable: false })).toBe(false);
    expect(isTyping({ tagName: 'DIV', isContentEditable: false })).toBe(false);
    expect(isTyping(null)).toBe(false);
  });

  it('lists every action once in the sheet', () => {
    const actions = SHORTCUTS.map((s) => s.action);
    expect(new Set(actions).size).toBe(actions.length);
    expect(actions).toEqual(expect.arrayContaining(['help', 'undo', 'redo', 'view:start', 'view:compare']));
  });
});

describe('the address', () => {
  it('names the view and the run watched, and reads them back', () => {
    expect(locationHash({ view: 'live', runId: 'abc-1' })).toBe('#live/abc-1');
    expect(locationHash({ view: 'history', runId: 'abc-1' })).toBe('#history');
    expect(locationHash({})).toBe('');
    expect(parseLocation('#live/abc-1')).toEqual({ view: 'live', runId: 'abc-1' });
    expect(parseLocation('#/editor')).toEqual({ view: 'editor' });
    expect(parseLocation('#nowhere')).toEqual({});
    expect(parseLocation('')).toEqual({});
  });
});

describe('the first screen', () => {
  const row = (id: number, name: string, builtin: boolean): ActionSetRow => ({ id, name, builtin, spec: { ...mlp, name } as ActionSetRow['spec'], createdAt: 0, updatedAt: 0 });

  it('searches the built-in mlp set on synthetic data with the launcher defaults', () => {
    const quick = quickStartConfig([row(1, 'mine', false), row(2, 'metaqnn', true), row(3, 'mlp', true)]);
    expect('config' in quick && quick.set.name).toBe('mlp');
    expect('config' in quick && quick.config).toMatchObject({ dataset: 'synthetic', strategy: 'ppo', budget: 20, evaluator: 'training' });
  });

  it('says why there is none without a built-in set', () => {
    expect(quickStartConfig([row(1, 'mine', false)])).toEqual({ error: expect.stringMatching(/restore the defaults/) });
  });
});

describe('a time axis for per-epoch charts', () => {
  it('adds up the epochs’ seconds', () => {
    expect(trainingTimeAxis([{ seconds: 1.5 }, { seconds: 2 }, { seconds: Number.NaN }, { seconds: 0.25 }])).toEqual([{ label: 'training time (s)', values: [1.5, 3.5, 3.5, 3.75] }]);
  });
});
