import { BrokerError, EnumValue, Timespan } from '@broker-ts/data';
import { optionEntries, type BackendOptions } from './backend-options';

/** SQLite's `PRAGMA synchronous` levels that Broker lets a store choose. */
export type SqliteSynchronous = 'off' | 'normal' | 'full' | 'extra';

/** SQLite's journal modes that Broker lets a store choose. */
export type SqliteJournalMode = 'delete' | 'wal';

/** What to do when the database file turns out to be corrupt. */
export type SqliteFailureMode = 'fail' | 'delete';

/** The SQLite backend's options after validation. */
export interface SqliteOptions {
  /** Path of the database file; missing directories are created. */
  path: string;
  /** `PRAGMA synchronous`, or `undefined` to keep SQLite's default (FULL). */
  synchronous: SqliteSynchronous | undefined;
  /** `PRAGMA journal_mode`, or `undefined` to keep SQLite's default (DELETE). */
  journalMode: SqliteJournalMode | undefined;
  /** Run `PRAGMA integrity_check` when opening. */
  integrityCheck: boolean;
  /** `delete`: a database that fails to open is deleted and created afresh. */
  failureMode: SqliteFailureMode;
  /**
   * How long a statement waits for a lock another connection holds (ms) before it fails
   * with `backend_failure` ("database is locked"). The wait blocks the endpoint's event
   * loop, so it is kept short.
   */
  busyTimeout: number;
}

/** Default of {@link SqliteOptions.busyTimeout}: well below the 5 s after which peers declare a silent endpoint dead. */
export const SQLITE_DEFAULT_BUSY_TIMEOUT_MS = 1000;

/** Largest {@link SqliteOptions.busyTimeout} accepted. */
const MAX_BUSY_TIMEOUT_MS = 60_000;

interface EnumOption<T extends string> {
  /** Prefix of Broker's Zeek-script enum names, e.g. `Broker::SQLITE_SYNCHRONOUS_`. */
  prefix: string;
  /** Allowed values, lowercase. */
  allowed: readonly T[];
}

const SYNCHRONOUS: EnumOption<SqliteSynchronous> = { prefix: 'Broker::SQLITE_SYNCHRONOUS_', allowed: ['off', 'normal', 'full', 'extra'] };
const JOURNAL_MODE: EnumOption<SqliteJournalMode> = { prefix: 'Broker::SQLITE_JOURNAL_MODE_', allowed: ['delete', 'wal'] };
const FAILURE_MODE: EnumOption<SqliteFailureMode> = { prefix: 'Broker::SQLITE_FAILURE_MODE_', allowed: ['delete', 'fail'] };

/** Broker's option names (snake_case, as Zeek scripts pass them) beside ours. */
const ALIASES: Readonly<Record<string, string>> = {
  journal_mode: 'journalMode',
  integrity_check: 'integrityCheck',
  failure_mode: 'failureMode',
  busy_timeout: 'busyTimeout',
};

const KNOWN = new Set(['path', 'synchronous', 'journalMode', 'integrityCheck', 'failureMode', 'busyTimeout']);

function fail(message: string): never {
  throw new BrokerError('backend_failure', `failed to initialize sqlite backend: ${message}`);
}

function describe(value: unknown): string {
  if (value instanceof EnumValue) return `enum_value ${value.name}`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return `${typeof value} ${String(value)}`;
}

function parseEnum<T extends string>(name: string, value: unknown, option: EnumOption<T>): T {
  const expected = option.allowed.map((v) => `${option.prefix}${v.toUpperCase()}`).join(', ');
  const given = value instanceof EnumValue ? value.name : typeof value === 'string' ? value : undefined;
  let text: string | undefined;
  if (given !== undefined && given.startsWith(option.prefix)) {
    // Broker's Zeek-script enum names are upper case: `Broker::SQLITE_SYNCHRONOUS_OFF`.
    const suffix = given.slice(option.prefix.length);
    if (suffix === suffix.toUpperCase()) text = suffix.toLowerCase();
  } else if (typeof value === 'string') {
    text = value;
  }
  if (text === undefined || !(option.allowed as readonly string[]).includes(text)) {
    fail(`option '${name}' must be one of enum_value ${expected} or the strings ${option.allowed.map((v) => `'${v}'`).join(', ')}; got ${describe(value)}`);
  }
  return text as T;
}

/**
 * Validates the SQLite backend's options: `path` (a string, required), `synchronous`
 * (`Broker::SQLITE_SYNCHRONOUS_{OFF,NORMAL,FULL,EXTRA}` or `'off'`…`'extra'`),
 * `journalMode` (`Broker::SQLITE_JOURNAL_MODE_{DELETE,WAL}` or `'delete'`/`'wal'`),
 * `integrityCheck` (boolean) and `failureMode` (`Broker::SQLITE_FAILURE_MODE_{DELETE,FAIL}`
 * or `'delete'`/`'fail'`). Broker's snake_case names (`journal_mode`, …) are accepted too.
 * @param options - the options as given to `attachMaster`
 * @returns the validated options with defaults filled in
 * @throws BrokerError `backend_failure` naming the option for a missing path, an unknown
 *   option, or a value of the wrong type or out of range
 */
export function parseSqliteOptions(options: BackendOptions | undefined): SqliteOptions {
  const given = new Map<string, unknown>();
  for (const [rawName, value] of optionEntries(options)) {
    const name = ALIASES[rawName] ?? rawName;
    if (!KNOWN.has(name)) fail(`unknown option '${rawName}' (known: ${[...KNOWN].join(', ')})`);
    if (given.has(name)) fail(`option '${name}' given twice`);
    given.set(name, value);
  }
  const path = given.get('path');
  if (path === undefined) fail("options are missing the required 'path' string");
  if (typeof path !== 'string' || path === '') fail(`option 'path' must be a non-empty string; got ${describe(path)}`);
  if (path.includes('\0')) fail("option 'path' must not contain NUL characters");
  const integrityCheck = given.get('integrityCheck') ?? false;
  if (typeof integrityCheck !== 'boolean') fail(`option 'integrityCheck' must be a boolean; got ${describe(integrityCheck)}`);
  const busyGiven = given.get('busyTimeout') ?? SQLITE_DEFAULT_BUSY_TIMEOUT_MS;
  // A Timespan (a Zeek `interval`) counts in whole milliseconds, as SQLite does.
  const busyTimeout = busyGiven instanceof Timespan && busyGiven.ns >= 0n ? Number(busyGiven.ns / 1_000_000n) : busyGiven;
  if (typeof busyTimeout !== 'number' || !Number.isSafeInteger(busyTimeout) || busyTimeout < 0 || busyTimeout > MAX_BUSY_TIMEOUT_MS) {
    fail(`option 'busyTimeout' must be an integer number of milliseconds or a Timespan from 0 to ${MAX_BUSY_TIMEOUT_MS} ms; got ${describe(busyGiven)}`);
  }
  const synchronous = given.get('synchronous');
  const journalMode = given.get('journalMode');
  const failureMode = given.get('failureMode');
  return {
    path,
    synchronous: synchronous === undefined ? undefined : parseEnum('synchronous', synchronous, SYNCHRONOUS),
    journalMode: journalMode === undefined ? undefined : parseEnum('journalMode', journalMode, JOURNAL_MODE),
    integrityCheck,
    failureMode: failureMode === undefined ? 'fail' : parseEnum('failureMode', failureMode, FAILURE_MODE),
    busyTimeout,
  };
}
