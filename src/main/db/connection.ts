/**
 * Opening a history database: refuse what is not ours (or is from a newer geNNerator) without
 * touching it, then set the connection up and migrate.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { HistoryStoreError } from './errors';
import { APPLICATION_ID, LATEST_VERSION, migrate } from './migrations';

/**
 * The better-sqlite3 addon to load, when not the one in node_modules: Electron needs a build for its
 * own ABI (scripts/electron-native.mjs makes one), while the CLI and tests use Node's.
 */
let nativeBinding: string | undefined;
export function useSqliteBinding(path: string | undefined): void {
  nativeBinding = path;
}

export function openDatabase(file: string): Database.Database {
  const resolved = path.resolve(file);
  try {
    fs.mkdirSync(path.dirname(resolved), { recursive: true });
    const stat = fs.statSync(resolved, { throwIfNoEntry: false });
    if (stat?.isDirectory()) throw new Error('it is a folder');
    // An empty file is what SQLite makes of a new database, so it is treated as one.
    if (stat && stat.size > 0) inspect(resolved);
  } catch (error) {
    if (error instanceof HistoryStoreError) throw error;
    throw new HistoryStoreError(`cannot open the history database ${resolved}: ${message(error)}`, resolved, { cause: error });
  }

  let db: Database.Database;
  try {
    db = new Database(resolved, { nativeBinding });
  } catch (error) {
    throw new HistoryStoreError(`cannot open the history database ${resolved}: ${message(error)}`, resolved, { cause: error });
  }
  try {
    // Another process (the CLI) may hold the write lock briefly: wait for it rather than fail.
    db.pragma('busy_timeout = 5000');
    // Readers (the UI) do not block the writer and vice versa.
    db.pragma('journal_mode = WAL');
    // WAL with synchronous NORMAL cannot corrupt the database; a power cut may lose the last commits.
    db.pragma('synchronous = NORMAL');
    // Off by default in SQLite; the cascades depend on it. (A no-op inside a transaction, so set here.)
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof HistoryStoreError) throw error;
    throw new HistoryStoreError(`cannot set up the history database ${resolved}: ${message(error)}`, resolved, { cause: error });
  }
}

/**
 * Refuses a file that is not a geNNerator history this version can use, leaving it byte-identical.
 * The header alone settles "not SQLite", "another program's" and "newer"; only our own files and
 * files without an application id are opened, read-only (so SQLite can neither write the file nor
 * checkpoint a WAL into it), to see whether they hold tables and can be read at all.
 */
function inspect(file: string): void {
  const header = readHeader(file);
  if (!header) throw new HistoryStoreError(`${file} is not a usable geNNerator history database: it is corrupt or not an SQLite file (no SQLite header)`, file);
  checkIdentity(file, header.applicationId, header.version);

  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, nativeBinding });
    // Reading the schema is what makes SQLite look past the header (and into a WAL, whose
    // header values win over the main file's).
    const objects = (db.prepare(`SELECT count(*) AS n FROM sqlite_schema`).get() as { n: number }).n;
    checkIdentity(file, db.pragma('application_id', { simple: true }) as number, db.pragma('user_version', { simple: true }) as number, objects);
  } catch (error) {
    if (error instanceof HistoryStoreError) throw error;
    throw new HistoryStoreError(`${file} is not a usable geNNerator history database: it is corrupt or not an SQLite file (${message(error)})`, file, {
      cause: error,
    });
  } finally {
    db?.close();
  }
}

/** Application id and user version from the 100-byte database header, or undefined when it is not SQLite's. */
function readHeader(file: string): { applicationId: number; version: number } | undefined {
  const header = Buffer.alloc(100);
  const fd = fs.openSync(file, 'r');
  try {
    if (fs.readSync(fd, header, 0, 100, 0) < 100) return undefined;
  } finally {
    fs.closeSync(fd);
  }
  if (header.toString('latin1', 0, 16) !== 'SQLite format 3\0') return undefined;
  // Both are big-endian signed 32-bit integers, as the pragmas report them.
  return { version: header.readInt32BE(60), applicationId: header.readInt32BE(68) };
}

/** `objects` (schema entries) is known once SQLite has read the file: without an application id, only an empty database is ours to take. */
function checkIdentity(file: string, applicationId: number, version: number, objects?: number): void {
  if (applicationId !== APPLICATION_ID && applicationId !== 0) {
    throw new HistoryStoreError(
      `${file} is not a geNNerator history database: it is an SQLite database of another program (application id 0x${(applicationId >>> 0).toString(16)})`,
      file,
    );
  }
  if (applicationId === 0 && objects !== undefined && objects > 0) {
    throw new HistoryStoreError(`${file} is not a geNNerator history database: it is an SQLite database of another program (no application id, ${objects} tables or indexes)`, file);
  }
  if (version > LATEST_VERSION) {
    throw new HistoryStoreError(
      `${file} was written by a newer geNNerator (history schema version ${version}; this version reads up to ${LATEST_VERSION}): use a newer geNNerator`,
      file,
    );
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
