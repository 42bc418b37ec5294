import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HistoryStoreError } from '../../../src/main/db/history-store';
import { ActionSetError, parseActionSet, type ActionSet } from '../../../src/shared/action-set';
import { openStore } from './helpers';

const defaults: ActionSet[] = readdirSync('resources/action-sets').map((file) => parseActionSet(JSON.parse(readFileSync(`resources/action-sets/${file}`, 'utf8'))));
const tiny = parseActionSet({ name: 'tiny', nodes: [{ id: 'd', layer: { type: 'dense', units: [8, 16] } }] });

describe('action sets', () => {
  it('seeds the defaults as builtin on first start only', () => {
    const store = openStore();
    expect(store.seedActionSets(defaults)).toBe(defaults.length);
    const seeded = store.listActionSets();
    expect(seeded.map((s) => s.name).sort()).toEqual(defaults.map((d) => d.name).sort());
    expect(seeded.every((s) => s.builtin)).toBe(true);
    expect(seeded.find((s) => s.name === defaults[0].name)?.spec).toEqual(defaults[0]);
    expect(store.seedActionSets(defaults)).toBe(0);
    expect(store.listActionSets()).toHaveLength(defaults.length);
  });

  it('does not seed over sets the user already has', () => {
    const store = openStore();
    store.saveActionSet({ name: 'mine', spec: tiny });
    expect(store.seedActionSets(defaults)).toBe(0);
    expect(store.listActionSets().map((s) => s.name)).toEqual(['mine']);
  });

  it('creates, renames, updates and deletes a set', () => {
    const store = openStore();
    const created = store.saveActionSet({ name: ' wide ', spec: tiny });
    expect(created).toMatchObject({ name: 'wide', builtin: false, spec: { ...tiny, name: 'wide' } });
    expect(store.getActionSet(created.id)).toEqual(created);

    const wider = { ...tiny, maxLayers: 3 };
    const updated = store.saveActionSet({ id: created.id, name: 'wider', spec: wider });
    expect(updated).toMatchObject({ id: created.id, name: 'wider', spec: { maxLayers: 3, name: 'wider' }, createdAt: created.createdAt });
    expect(store.listActionSets()).toHaveLength(1);

    expect(store.deleteActionSet(created.id)).toBe(true);
    expect(store.deleteActionSet(created.id)).toBe(false);
    expect(store.getActionSet(created.id)).toBeUndefined();
    expect(() => store.saveActionSet({ id: created.id, name: 'gone', spec: tiny })).toThrow(/no action set with id/);
  });

  it('refuses an invalid spec and a duplicate name, writing nothing', () => {
    const store = openStore();
    const first = store.saveActionSet({ name: 'dup', spec: tiny });
    const second = store.saveActionSet({ name: 'other', spec: tiny });
    expect(() => store.saveActionSet({ name: 'DUP', spec: tiny })).toThrow(HistoryStoreError);
    expect(() => store.saveActionSet({ name: 'dup', spec: tiny })).toThrow('an action set named "dup" already exists');
    expect(() => store.saveActionSet({ id: second.id, name: 'dup', spec: tiny })).toThrow(/already exists/);
    const broken = { ...tiny, nodes: [{ id: 'c', layer: { type: 'conv2d', filters: [-1] } }] } as ActionSet;
    expect(() => store.saveActionSet({ name: 'broken', spec: broken })).toThrow(ActionSetError);
    expect(() => store.saveActionSet({ name: '  ', spec: tiny })).toThrow(ActionSetError);
    expect(store.listActionSets().map((s) => [s.id, s.name])).toEqual([
      [first.id, 'dup'],
      [second.id, 'other'],
    ]);
  });

  it('keeps built-in sets read-only: a change is refused (the editor saves a copy instead)', () => {
    const store = openStore();
    store.seedActionSets(defaults);
    const builtin = store.listActionSets()[0];
    expect(() => store.saveActionSet({ id: builtin.id, name: builtin.name, spec: { ...builtin.spec, maxLayers: 2 } })).toThrow(/is a built-in action set and cannot be changed: save it as a copy/);
    const copy = store.saveActionSet({ name: `${builtin.name} copy`, spec: { ...builtin.spec, maxLayers: 2 } });
    expect(copy).toMatchObject({ builtin: false, spec: { maxLayers: 2 } });
    expect(store.getActionSet(builtin.id)).toEqual(builtin);
  });

  it('restores the defaults: deleted ones come back (beside a set of the user that took the name), the others stay', () => {
    const store = openStore();
    store.seedActionSets(defaults);
    expect(store.restoreDefaultActionSets(defaults)).toEqual([]);
    const [first, second] = store.listActionSets();
    store.deleteActionSet(first.id);
    store.deleteActionSet(second.id);
    const mine = store.saveActionSet({ name: second.name, spec: tiny });
    expect(store.restoreDefaultActionSets(defaults).sort()).toEqual([first.name, `${second.name} (default)`].sort());
    const rows = store.listActionSets();
    expect(rows.filter((r) => r.builtin)).toHaveLength(defaults.length);
    expect(rows.find((r) => r.name === first.name)).toMatchObject({ builtin: true, spec: first.spec });
    expect(rows.find((r) => r.name === `${second.name} (default)`)).toMatchObject({ builtin: true, spec: { ...second.spec, name: `${second.name} (default)` } });
    expect(store.getActionSet(mine.id)).toEqual(mine);
    // Once there, they are not restored again.
    expect(store.restoreDefaultActionSets(defaults)).toEqual([]);
    expect(store.listActionSets()).toHaveLength(rows.length);
  });
});
