/**
 * Two processes writing one history (two CLI searches on the same file): every event must land. A
 * transaction takes the write lock as it begins, so the other writer waits for it instead of failing
 * with "database is locked" when its read snapshot went stale between a read and a write.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/main/db/connection';
import { HistoryDb } from '../../../src/main/db/history/history-db';
import { createRun, openStore } from './helpers';

describe('two writers on one history file', () => {
  it("a transaction holds the write lock from its start: the other connection's write waits until it commits", () => {
    const store = openStore();
    const runId = createRun(store, { budget: 4 });
    const first = new HistoryDb(openDatabase(store.path));
    const second = new Database(store.path);
    second.pragma('busy_timeout = 50');
    try {
      first.transaction(() => {
        first.requireRun(runId); // a read first, as recordEvent does
        // Under a deferred transaction this write would succeed and the first one's write below would fail.
        expect(() => second.prepare(`UPDATE runs SET name = 'other' WHERE id = ?`).run(runId)).toThrow(/database is locked/);
        first.touchRun(runId, 1);
      });
      second.prepare(`UPDATE runs SET name = 'other' WHERE id = ?`).run(runId);
    } finally {
      second.close();
      first.close();
    }
    expect(store.getRun(runId)?.name).toBe('other');
  });
});
