import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { HistoryStore, HistoryStoreError } from '../../../src/main/db/history-store';
import { APPLICATION_ID, LATEST_VERSION, MIGRATIONS, migrate } from '../../../src/main/db/migrations';
import { makeConfig, openStore, query, recordCandidate, tempDir } from './helpers';

/**
 * Opening must throw a HistoryStoreError matching `message` and leave the file byte-identical, and
 * (unless its header claims it is ours, when SQLite's read-only look may add empty -wal/-shm files)
 * add nothing beside it.
 */
function expectRefused(file: string, message: RegExp, ours = false): HistoryStoreError {
  const before = fs.readFileSync(file);
  const siblings = fs.readdirSync(path.dirname(file));
  let caught: unknown;
  try {
    HistoryStore.open(file).close();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(HistoryStoreError);
  const error = caught as HistoryStoreError;
  expect(error.message).toContain(file);
  expect(error.message).toMatch(message);
  expect(error.path).toBe(file);
  expect(fs.readFileSync(file).equals(before)).toBe(true);
  if (!ours) expect(fs.readdirSync(path.dirname(file))).toEqual(siblings);
  return error;
}

describe('opening a history database', () => {
  it('creates missing folders and sets the pragmas', () => {
    const file = path.join(tempDir(), 'a', 'b', 'history.sqlite');
    const store = openStore(file);
    expect(store.path).toBe(file);
    expect(query(file, 'PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(query(file, 'PRAGMA application_id')).toEqual([{ application_id: APPLICATION_ID }]);
    expect(query(file, 'PRAGMA user_version')).toEqual([{ user_version: LATEST_VERSION }]);
    expect(LATEST_VERSION).toBeGreaterThanOrEqual(2);
    store.close();
    // Reopening an up-to-date database is a no-op.
    openStore(file);
    expect(query(file, 'PRAGMA user_version')).toEqual([{ user_version: LATEST_VERSION }]);
  });

  it('accepts an empty file as a new database', () => {
    const file = path.join(tempDir(), 'empty.sqlite');
    fs.writeFileSync(file, '');
    openStore(file);
    expect(query(file, 'PRAGMA user_version')).toEqual([{ user_version: LATEST_VERSION }]);
  });

  it('migrates a version-1 database and keeps its data', () => {
    const file = path.join(tempDir(), 'old.sqlite');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    migrate(db, 1);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    const config = makeConfig({ name: 'from v1' });
    db.prepare(
      `INSERT INTO runs (id, name, status, config, strategy, evaluator, dataset, mode, seed, budget, settings_key, created_at, updated_at,
         evaluations, best_index, best_signal) VALUES ('old-run', 'from v1', 'completed', ?, 'random', 'nb201', 'cifar10', 'full', 1, 5, 'k', 1, 2, 1, 0, 0.7)`,
    ).run(JSON.stringify(config));
    db.prepare(
      `INSERT INTO candidates (id, run_id, idx, status, arch_hash, label, action, valid_acc, reward, created_at, updated_at, finished_at)
       VALUES (1, 'old-run', 0, 'completed', 'hx', 'net hx', '[1,0]', 0.7, 0.7, 1, 2, 2)`,
    ).run();
    db.prepare(`INSERT INTO epochs (candidate_id, epoch, train_loss, train_acc, valid_loss, valid_acc, seconds, images_per_second) VALUES (1, 1, 0.3, 0.8, 0.4, 0.7, 1, 50)`).run();
    db.prepare(`INSERT INTO action_sets (name, spec, builtin, created_at, updated_at) VALUES ('kept', '{"name":"kept","nodes":[]}', 0, 1, 1)`).run();
    const indexesBefore = db.prepare(`SELECT count(*) AS n FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL`).get() as { n: number };
    db.close();
    expect(indexesBefore.n).toBe(0);

    const store = openStore(file);
    expect(query(file, 'PRAGMA user_version')).toEqual([{ user_version: LATEST_VERSION }]);
    const indexes = query<{ name: string }>(file, `SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL`).map((r) => r.name);
    expect(indexes).toEqual(expect.arrayContaining(['runs_created', 'candidates_hash', 'candidates_cached_from']));
    expect(store.getRun('old-run')).toMatchObject({ name: 'from v1', status: 'completed', bestSignal: 0.7, bestLabel: 'net hx', config });
    expect(store.getCandidate('old-run', 0)).toMatchObject({ validAcc: 0.7, action: [1, 0], epochs: [{ epoch: 1, validAccuracy: 0.7 }] });
    expect(store.listActionSets().map((s) => s.name)).toEqual(['kept']);
    // And the migrated database takes new writes.
    recordCandidate(store, 'old-run', 1, { signal: 0.8 });
    expect(store.getRun('old-run')).toMatchObject({ evaluations: 2, bestIndex: 1 });
    expect(query(file, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  });

  it('numbers the migrations 1, 2, … without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('refuses a corrupt file untouched', () => {
    const dir = tempDir();
    const random = path.join(dir, 'random.sqlite');
    fs.writeFileSync(random, randomBytes(16384));
    expectRefused(random, /corrupt or not an SQLite file \(no SQLite header\)/);
    const short = path.join(dir, 'short.sqlite');
    fs.writeFileSync(short, 'SQLite format 3\0');
    expectRefused(short, /no SQLite header/);

    // Our own header (application id, version) over a ruined schema page.
    const garbled = path.join(dir, 'garbled.sqlite');
    HistoryStore.open(garbled).close();
    const bytes = fs.readFileSync(garbled);
    bytes.fill(0xff, 100);
    fs.writeFileSync(garbled, bytes);
    expectRefused(garbled, /corrupt or not an SQLite file \(database disk image is malformed\)/, true);
  });

  it('refuses another program’s SQLite database untouched', () => {
    const dir = tempDir();
    const plain = path.join(dir, 'plain.sqlite');
    const db = new Database(plain);
    db.exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('hello');`);
    db.close();
    expectRefused(plain, /not a geNNerator history database.*another program \(no application id, 1 tables/);

    const tagged = path.join(dir, 'tagged.sqlite');
    const other = new Database(tagged);
    other.pragma('journal_mode = WAL');
    other.pragma('application_id = 1234');
    other.exec(`CREATE TABLE t (x)`);
    other.close();
    expectRefused(tagged, /application id 0x4d2/);
  });

  it('refuses a database from a newer geNNerator untouched', () => {
    const file = path.join(tempDir(), 'newer.sqlite');
    HistoryStore.open(file).close();
    const db = new Database(file);
    db.pragma(`user_version = ${LATEST_VERSION + 3}`);
    db.close();
    const error = expectRefused(file, /newer geNNerator/);
    expect(error.message).toContain(`version ${LATEST_VERSION + 3}`);
    expect(error.message).toContain(`up to ${LATEST_VERSION}`);
    expect(error.message).toMatch(/use a newer geNNerator/);
  });
});

describe('opening a path that cannot be a database', () => {
  it('says so for a folder', () => {
    const dir = tempDir();
    expect(() => HistoryStore.open(dir)).toThrow(HistoryStoreError);
    expect(() => HistoryStore.open(dir)).toThrow(/cannot open the history database .*it is a folder/);
  });
});
