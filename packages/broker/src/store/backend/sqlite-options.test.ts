import { enumValue, timespan } from '@broker-ts/data';
import { parseSqliteOptions } from './sqlite-options';
import { brokerErrorOf } from './__fixtures__/error-code-of';

describe('parseSqliteOptions', () => {
  it('fills in defaults: SQLite keeps its own synchronous and journal mode, no integrity check, fail on corruption', () => {
    expect(parseSqliteOptions({ path: '/tmp/x.sqlite' })).toEqual({
      path: '/tmp/x.sqlite',
      synchronous: undefined,
      journalMode: undefined,
      integrityCheck: false,
      failureMode: 'fail',
      busyTimeout: 1000,
    });
  });

  it('takes a busy timeout in milliseconds or as a Timespan, bounded', () => {
    expect(parseSqliteOptions({ path: 'p', busyTimeout: 0 }).busyTimeout).toBe(0);
    expect(parseSqliteOptions({ path: 'p', busy_timeout: 250 }).busyTimeout).toBe(250);
    expect(parseSqliteOptions({ path: 'p', busyTimeout: timespan('2s') }).busyTimeout).toBe(2000);
    expect(parseSqliteOptions({ path: 'p', busy_timeout: timespan(1500n * 1_000_000n + 999_999n) }).busyTimeout).toBe(1500);
    for (const bad of [-1, 1.5, 60_001, '100', Number.NaN, timespan('61s'), timespan(-5n)]) {
      expect(brokerErrorOf(() => parseSqliteOptions({ path: 'p', busyTimeout: bad })).message).toMatch(
        /option 'busyTimeout' must be an integer number of milliseconds or a Timespan from 0 to 60000 ms/,
      );
    }
  });

  it("takes Broker's Zeek enum values", () => {
    expect(
      parseSqliteOptions({
        path: 'p',
        synchronous: enumValue('Broker::SQLITE_SYNCHRONOUS_NORMAL'),
        journal_mode: enumValue('Broker::SQLITE_JOURNAL_MODE_WAL'),
        failure_mode: enumValue('Broker::SQLITE_FAILURE_MODE_DELETE'),
        integrity_check: true,
      }),
    ).toEqual({ path: 'p', synchronous: 'normal', journalMode: 'wal', integrityCheck: true, failureMode: 'delete', busyTimeout: 1000 });
  });

  it('takes plain lowercase names and the enum names as strings', () => {
    expect(parseSqliteOptions({ path: 'p', synchronous: 'extra', journalMode: 'delete', failureMode: 'Broker::SQLITE_FAILURE_MODE_DELETE' })).toMatchObject({
      synchronous: 'extra',
      journalMode: 'delete',
      failureMode: 'delete',
    });
  });

  it('ignores options whose value is undefined, as an object spread leaves them', () => {
    expect(parseSqliteOptions({ path: 'p', synchronous: undefined }).synchronous).toBeUndefined();
  });

  it('lists the accepted values in the error', () => {
    const error = brokerErrorOf(() => parseSqliteOptions({ path: 'p', journalMode: enumValue('Broker::SQLITE_JOURNAL_MODE_MEMORY') }));
    expect(error.code).toBe('backend_failure');
    expect(error.message).toBe(
      "failed to initialize sqlite backend: option 'journalMode' must be one of enum_value Broker::SQLITE_JOURNAL_MODE_DELETE, Broker::SQLITE_JOURNAL_MODE_WAL or the strings 'delete', 'wal'; got enum_value Broker::SQLITE_JOURNAL_MODE_MEMORY",
    );
  });

  it('requires a path', () => {
    expect(() => parseSqliteOptions(undefined)).toThrow("failed to initialize sqlite backend: options are missing the required 'path' string");
    expect(() => parseSqliteOptions({ path: 'a\0b' })).toThrow(/NUL/);
  });
});
