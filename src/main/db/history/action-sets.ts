/** The action sets a user can pick for a search: the bundled defaults (builtin) and their own, by unique name. */
import { parseActionSet, type ActionSet } from '../../../shared/action-set';
import type { ActionSetRow } from '../../../shared/history';
import { HistoryStoreError } from '../errors';
import { sqliteCode, type HistoryDb } from './history-db';

interface ActionSetRaw {
  id: number;
  name: string;
  spec: string;
  builtin: number;
  created_at: number;
  updated_at: number;
}

export function listActionSets(db: HistoryDb): ActionSetRow[] {
  return (db.stmt(`SELECT * FROM action_sets ORDER BY builtin DESC, name`).all() as ActionSetRaw[]).map(toActionSetRow);
}

export function getActionSet(db: HistoryDb, id: number): ActionSetRow | undefined {
  const row = db.stmt(`SELECT * FROM action_sets WHERE id = ?`).get(id) as ActionSetRaw | undefined;
  return row && toActionSetRow(row);
}

/**
 * Creates (no id) or replaces an action set. The spec is validated (ActionSetError says what is
 * wrong) and stored under `name`; a name already used by another set is refused, and so is a
 * change to a built-in set (they are read-only: the editor saves a copy).
 */
export function saveActionSet(db: HistoryDb, { id, name, spec }: { id?: number; name: string; spec: ActionSet }): ActionSetRow {
  const trimmed = name.trim();
  const parsed = parseActionSet({ ...spec, name: trimmed });
  const json = JSON.stringify(parsed);
  const now = Date.now();
  try {
    if (id === undefined) {
      const newId = Number(
        db.stmt(`INSERT INTO action_sets (name, spec, builtin, created_at, updated_at) VALUES (?, ?, 0, ?, ?)`).run(trimmed, json, now, now).lastInsertRowid,
      );
      return getActionSet(db, newId) as ActionSetRow;
    }
    const existing = getActionSet(db, id);
    if (!existing) throw new HistoryStoreError(`there is no action set with id ${id}`);
    if (existing.builtin) throw new HistoryStoreError(`"${existing.name}" is a built-in action set and cannot be changed: save it as a copy`);
    db.stmt(`UPDATE action_sets SET name = ?, spec = ?, updated_at = ? WHERE id = ?`).run(trimmed, json, now, id);
    return getActionSet(db, id) as ActionSetRow;
  } catch (error) {
    if (sqliteCode(error) === 'SQLITE_CONSTRAINT_UNIQUE') throw new HistoryStoreError(`an action set named "${trimmed}" already exists`);
    throw error;
  }
}

export function deleteActionSet(db: HistoryDb, id: number): boolean {
  return db.stmt(`DELETE FROM action_sets WHERE id = ?`).run(id).changes > 0;
}

/** Inserts the bundled action sets as builtin when there are none at all (the first start). Returns how many. */
export function seedActionSets(db: HistoryDb, defaults: readonly ActionSet[]): number {
  return db.transaction((): number => {
    const count = (db.stmt(`SELECT count(*) AS n FROM action_sets`).get() as { n: number }).n;
    if (count > 0) return 0;
    const now = Date.now();
    const insert = db.stmt(`INSERT INTO action_sets (name, spec, builtin, created_at, updated_at) VALUES (?, ?, 1, ?, ?)`);
    for (const set of defaults) {
      const parsed = parseActionSet(set);
      try {
        insert.run(parsed.name, JSON.stringify(parsed), now, now);
      } catch (error) {
        if (sqliteCode(error) === 'SQLITE_CONSTRAINT_UNIQUE') throw new HistoryStoreError(`two default action sets are named "${parsed.name}"`);
        throw error;
      }
    }
    return defaults.length;
  });
}

/**
 * Brings the bundled action sets back as they ship: each one deleted is inserted again (under
 * "<name> (default)" if a set of the user's took its name meanwhile), each built-in one that
 * differs is reset. Returns the names of the sets it restored.
 */
export function restoreDefaultActionSets(db: HistoryDb, defaults: readonly ActionSet[]): string[] {
  return db.transaction((): string[] => {
    const rows = listActionSets(db);
    const restored: string[] = [];
    const now = Date.now();
    for (const set of defaults) {
      const parsed = parseActionSet(set);
      const json = JSON.stringify(parsed);
      // A built-in set keeps its name, or the "(default)" one it was restored under.
      const key = parsed.name.toLowerCase();
      const builtin = rows.find((row) => row.builtin && (row.name.toLowerCase() === key || row.name.toLowerCase().startsWith(`${key} (default`)));
      if (builtin) {
        if (JSON.stringify({ ...builtin.spec, name: parsed.name }) === json) continue;
        db.stmt(`UPDATE action_sets SET spec = ?, updated_at = ? WHERE id = ?`).run(JSON.stringify({ ...parsed, name: builtin.name }), now, builtin.id);
        restored.push(builtin.name);
        continue;
      }
      const taken = new Set(rows.map((row) => row.name.toLowerCase()));
      let name = parsed.name;
      for (let n = 1; taken.has(name.toLowerCase()); n++) name = `${parsed.name} (default${n === 1 ? '' : ` ${n}`})`;
      db.stmt(`INSERT INTO action_sets (name, spec, builtin, created_at, updated_at) VALUES (?, ?, 1, ?, ?)`).run(name, JSON.stringify({ ...parsed, name }), now, now);
      restored.push(name);
    }
    return restored;
  });
}

function toActionSetRow(row: ActionSetRaw): ActionSetRow {
  return {
    id: row.id,
    name: row.name,
    spec: JSON.parse(row.spec) as ActionSet,
    builtin: row.builtin === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
