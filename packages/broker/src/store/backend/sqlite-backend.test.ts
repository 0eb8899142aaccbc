import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { Timestamp, count, decodeBinary, enumValue, toString } from '@broker-ts/data';
import { prng } from '../seeded-random';
import { SNAPSHOT_PAGE } from './paged-snapshot';
import { SqliteBackend } from './sqlite-backend';
import { brokerErrorOf, errorCodeOf } from './__fixtures__/error-code-of';

let dir: string;
let file: string;
const opened: Array<{ close(): void }> = [];

function open(options: Record<string, unknown> = {}): SqliteBackend {
  const b = new SqliteBackend({ path: file, ...options });
  opened.push(b);
  return b;
}

function raw(): Database.Database {
  const db = new Database(file);
  opened.push(db);
  return db;
}

/** Writes 2000 rows, then overwrites bytes inside a b-tree page: reads still work, an integrity check does not. */
function writeSubtlyCorruptFile(): void {
  const b = open({ synchronous: 'off' });
  for (let i = 0; i < 2000; i++) b.put(`key${i}`, `value${i}`);
  b.close();
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.alloc(64, 0xff), 0, 64, 4096 * 5 + 2000);
  fs.closeSync(fd);
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'broker-ts-sqlite-'));
  file = path.join(dir, 'nested', 'dirs', 'store.sqlite');
});

afterEach(() => {
  for (const o of opened.splice(0)) o.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('SqliteBackend file format', () => {
  it("writes Broker's schema and meta row", () => {
    open().close();
    const db = raw();
    const tables = db.prepare("select name, sql from sqlite_master where type = 'table' order by name").all();
    expect(tables).toEqual([
      { name: 'meta', sql: 'CREATE TABLE meta(key text primary key, value text)' },
      { name: 'store', sql: 'CREATE TABLE store(key blob primary key, value blob, expiry integer)' },
    ]);
    expect(db.prepare('select key, value from meta').all()).toEqual([{ key: 'broker_version', value: '1.4.0' }]);
  });

  it("stores keys and values as Broker's binary bytes and the expiry as absolute ns", () => {
    const b = open();
    b.put('a', 1n);
    b.put([1n, 'x'], count(2), new Timestamp(1_700_000_000_123_456_789n));
    b.close();
    const rows = raw()
      .prepare('select hex(key) as k, hex(value) as v, expiry from store order by key')
      .safeIntegers(true)
      .all();
    expect(rows).toEqual([
      { k: '050161', v: '030000000000000001', expiry: null },
      { k: '0E02030000000000000001050178', v: '020000000000000002', expiry: 1_700_000_000_123_456_789n },
    ]);
  });

  it('reads rows another writer put into the file', () => {
    const b = open();
    const db = raw();
    db.prepare('insert into store values (?, ?, ?)').run(Buffer.from('050162', 'hex'), Buffer.from('0501' + '7a'.padStart(2, '0'), 'hex'), 77n);
    expect(b.get('b')).toBe('z');
    expect(b.expiries().map((e) => e.expiry.ns)).toEqual([77n]);
  });

  it('reports a stored value that does not decode as invalid_data', () => {
    const b = open();
    b.put('good', 1n);
    raw().prepare('insert into store values (?, ?, null)').run(Buffer.from('050162', 'hex'), Buffer.from('ff', 'hex'));
    expect(errorCodeOf(() => b.get('b'))).toBe('invalid_data');
    expect(errorCodeOf(() => b.add('b', 1n, 'integer'))).toBe('invalid_data');
    expect(b.get('good')).toBe(1n);
  });

  it('reports a stored key that does not decode as invalid_data from keys() and leaves the rows on dropExpired', () => {
    const b = open();
    raw().prepare('insert into store values (?, ?, 1)').run(Buffer.from('63', 'hex'), Buffer.from('0501' + '78', 'hex'));
    expect(errorCodeOf(() => b.keys())).toBe('invalid_data');
    expect(errorCodeOf(() => b.dropExpired(new Timestamp(10n)))).toBe('invalid_data');
    expect(b.size()).toBe(1);
  });
});

describe('SqliteBackend options', () => {
  it.each([
    ['off', 0],
    ['normal', 1],
    ['full', 2],
    ['extra', 3],
  ] as const)('synchronous %s is accepted as a plain name and as Broker enum', (name, level) => {
    const b1 = open({ synchronous: name });
    expect(b1.options.synchronous).toBe(name);
    const b2 = open({ synchronous: enumValue(`Broker::SQLITE_SYNCHRONOUS_${name.toUpperCase()}`) });
    expect(b2.options.synchronous).toBe(name);
    // The pragma was really applied to the backend's connection.
    expect(b1.pragma('synchronous')).toBe(level);
    expect(b2.pragma('synchronous')).toBe(level);
  });

  it('journal mode WAL is applied to the file and persists', () => {
    const b = open({ journalMode: enumValue('Broker::SQLITE_JOURNAL_MODE_WAL') });
    b.put('k', 1n);
    expect(b.pragma('journal_mode')).toBe('wal');
    b.close();
    expect(raw().pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('keeps SQLite defaults (FULL, DELETE journal) when no option is given', () => {
    const b = open();
    expect(b.pragma('synchronous')).toBe(2);
    expect(b.pragma('journal_mode')).toBe('delete');
    // Waiting for another connection's lock blocks the event loop: 1 s, not better-sqlite3's 5 s.
    expect(b.pragma('busy_timeout')).toBe(1000);
  });

  it('applies busyTimeout to the connection', () => {
    expect(open({ busyTimeout: 50 }).pragma('busy_timeout')).toBe(50);
  });

  it("accepts Broker's snake_case option names", () => {
    const b = open({ journal_mode: 'wal', integrity_check: true, failure_mode: enumValue('Broker::SQLITE_FAILURE_MODE_FAIL') });
    expect(b.options).toMatchObject({ journalMode: 'wal', integrityCheck: true, failureMode: 'fail' });
  });

  it.each([
    [{ synchronous: 2 }, /option 'synchronous' must be one of/],
    [{ synchronous: 'OFF' }, /got "OFF"/],
    [{ synchronous: enumValue('OFF') }, /got enum_value OFF/],
    [{ synchronous: enumValue('Broker::SQLITE_SYNCHRONOUS_off') }, /synchronous/],
    [{ synchronous: enumValue('Broker::SQLITE_JOURNAL_MODE_WAL') }, /synchronous/],
    [{ journalMode: 'truncate' }, /option 'journalMode'/],
    [{ journalMode: true }, /option 'journalMode'/],
    [{ failureMode: 'ignore' }, /option 'failureMode'/],
    [{ integrityCheck: 'yes' }, /option 'integrityCheck' must be a boolean/],
    [{ path: 7 }, /option 'path' must be a non-empty string/],
    [{ journalMode: 'wal', journal_mode: 'wal' }, /given twice/],
  ])('rejects %p with backend_failure and a message naming the option', (options, message) => {
    const error = brokerErrorOf(() => open(options as Record<string, unknown>));
    expect(error.code).toBe('backend_failure');
    expect(error.message).toMatch(/^failed to initialize sqlite backend: /);
    expect(error.message).toMatch(message);
  });

  it('rejects options that are not an object', () => {
    expect(errorCodeOf(() => new SqliteBackend('path' as never))).toBe('backend_failure');
    expect(errorCodeOf(() => new SqliteBackend(new Map([[1, 2]]) as never))).toBe('backend_failure');
  });

  it('accepts options as a Map, as Broker passes backend_options', () => {
    const b = new SqliteBackend(new Map<string, unknown>([['path', file], ['synchronous', 'off']]));
    opened.push(b);
    expect(b.options.synchronous).toBe('off');
  });
});

describe('SqliteBackend on damaged files', () => {
  it('refuses a file that is not a database with cannot_open_file, leaving it in place', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, Buffer.alloc(5000, 7));
    const error = brokerErrorOf(() => open());
    expect(error.code).toBe('cannot_open_file');
    expect(error.message).toMatch(/file is not a database/);
    expect(fs.readFileSync(file)).toEqual(Buffer.alloc(5000, 7));
  });

  it('with failureMode delete, replaces a file that is not a database by a fresh store', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, Buffer.alloc(5000, 7));
    const b = open({ failureMode: 'delete' });
    expect(b.size()).toBe(0);
    b.put('k', 1n);
    expect(b.get('k')).toBe(1n);
  });

  it('refuses a store table of another shape', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const db = new Database(file);
    db.exec('create table store(a integer)');
    db.close();
    expect(errorCodeOf(() => open())).toBe('cannot_open_file');
  });

  it('integrityCheck detects a damaged b-tree that plain reads miss', () => {
    writeSubtlyCorruptFile();
    open().close();
    const error = brokerErrorOf(() => open({ integrityCheck: true }));
    expect(error.code).toBe('cannot_open_file');
    expect(error.message).toMatch(/malformed|integrity check failed/);
  });

  it('integrityCheck with failureMode delete starts over with an empty store', () => {
    writeSubtlyCorruptFile();
    const b = open({ integrityCheck: true, failureMode: enumValue('Broker::SQLITE_FAILURE_MODE_DELETE') });
    expect(b.size()).toBe(0);
    expect(toString(b.keys())).toBe('{}');
  });

  it('never deletes a path that is a directory', () => {
    fs.mkdirSync(file, { recursive: true });
    expect(errorCodeOf(() => open({ failureMode: 'delete' }))).toBe('cannot_open_file');
    expect(fs.statSync(file).isDirectory()).toBe(true);
  });
});

describe('a snapshot read a page at a time', () => {
  it('yields the store as it was when taken, in Broker order, while writes, erasures and a clear go on between pages', () => {
    const b = open({ synchronous: 'off' });
    const n = 3 * SNAPSHOT_PAGE + 100;
    b.batch(() => {
      for (let i = 0; i < n; i++) b.put(count(i), `v${i}`);
    });
    const expected = [...b.snapshot()].map(([k, v]) => `${toString(k)}=${toString(v)}`);
    const rows = b.snapshotRows();
    const random = prng(3);
    let steps = 0;
    for (let ready = false; !ready; steps++) {
      ready = rows.prepare!();
      for (let j = 0; j < 50; j++) {
        const i = Math.floor(random() * (n + 500));
        if (random() < 0.4) b.erase(count(i));
        else b.put(count(i), `changed${i}`);
      }
      if (steps === 2) b.batch(() => b.put('inside a batch', 1n));
    }
    expect(steps).toBeGreaterThan(3);
    // A clear after the snapshot was read changes nothing either; one taken before a clear reads the rest first.
    const early = b.snapshotRows();
    early.prepare!();
    b.clear();
    b.put('after clear', 1n);
    expect([...rows].map((r) => `${toString(decodeBinary(r.key))}=${toString(decodeBinary(r.value))}`)).toEqual(expected);
    expect(early.size).toBe([...early].length);
    expect([...b.snapshotRows()].map((r) => toString(decodeBinary(r.key)))).toEqual(['after clear']);
  });
});
