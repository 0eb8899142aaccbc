/**
 * Interoperability with Zeek Broker 1.4 (Debian's python3-broker): a SQLite store file
 * written by broker-ts opens in Broker, and one written by Broker opens here.
 */
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  Timespan,
  Timestamp,
  address,
  count,
  enumValue,
  port,
  set,
  subnet,
  table,
  toString,
  typeOf,
  type Data,
  type DataTypeName,
} from '@broker-ts/data';
import { requirement } from '../../../../../tools/test-requirement';
import { exact } from './__fixtures__/exact';
import { SqliteBackend } from './sqlite-backend';

/** Debian's python3-broker lives in the system Python, not in a pyenv one that may come first on PATH. */
const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(__dirname, '__fixtures__', 'broker14-store.py');

/** Broker 1.4's Python bindings: Debian's python3-broker (`.ci/run` installs it). */
const broker14Python = requirement('python3-broker', () => {
  try {
    execFileSync(PYTHON, ['-c', 'import broker'], { stdio: 'ignore', timeout: 30_000 });
    return undefined;
  } catch {
    return `${PYTHON} cannot import broker: install Debian's python3-broker`;
  }
});

/** Broker 1.4's Python names of the data types (`broker.Data.Type`). */
const PYTHON_TYPE: Record<DataTypeName, string> = {
  none: 'Nil',
  boolean: 'Boolean',
  count: 'Count',
  integer: 'Integer',
  real: 'Real',
  string: 'String',
  address: 'Address',
  subnet: 'Subnet',
  port: 'Port',
  timestamp: 'Timestamp',
  timespan: 'Timespan',
  enum_value: 'EnumValue',
  set: 'Set',
  table: 'Table',
  vector: 'Vector',
};

function broker14(mode: 'read' | 'write', file: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [SCRIPT, mode, file], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${PYTHON} ${SCRIPT} ${mode} failed: ${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as Record<string, unknown>);
    });
  });
}

let dir: string;
let file: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'broker-ts-interop-'));
  file = path.join(dir, 'store.sqlite');
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const ENTRIES: Array<[Data, Data]> = [
  ['none', null],
  ['bool', false],
  ['count', count(41)],
  ['int', -7n],
  ['real', 0.25],
  ['str', 'h\u00e9llo'],
  ['addr', address('10.1.2.3')],
  ['addr6', address('2001:db8::2')],
  ['subnet', subnet('192.168.0.0/16')],
  ['port', port(53, 'udp')],
  ['ts', new Timestamp(1_577_934_245_678_000_000n)],
  ['span', new Timespan(2_500_000_000n)],
  ['enum', enumValue('Broker::SQLITE_SYNCHRONOUS_OFF')],
  ['set', set([1n, 'b'])],
  ['table', table([['k', [1n, 2n]], ['other', count(1)]])],
  ['vec', [count(1), 'x', [null]]],
  [count(5), 'count key'],
  [[1n, 'a'], 'vector key'],
  [subnet('10.0.0.0/8'), 'subnet key'],
];

for (const [how, grouped] of [['one transaction per write', false], ['one group commit, as a master commits a burst', true]] as const) {
  broker14Python.test(`a store file written by broker-ts (${how}) opens in Broker 1.4, which reads every type, honours the expiries and writes back`, async () => {
    const b = new SqliteBackend({ path: file });
    const farFuture = new Timestamp(BigInt(Date.now() + 86_400_000) * 1_000_000n);
    const writeAll = (): void => {
      for (const [k, v] of ENTRIES) b.put(k, v);
      // Expired long before the master starts: Broker re-arms the expiry and drops the entry.
      b.put('expired', 'x', new Timestamp(1_000_000_000n));
      b.put('future', 'y', farFuture);
    };
    if (grouped) b.batch(writeAll);
    else writeAll();
    b.close();

    const result = (await broker14('read', file)) as { expiredGone: boolean; entries: string[][] };
    expect(result.expiredGone).toBe(true);
    const expected = [...ENTRIES, ['future', 'y'] as [Data, Data]].map(([k, v]) => [toString(k), PYTHON_TYPE[typeOf(v)], toString(v)]);
    expect(result.entries).toEqual(expected.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)));

    // Broker's own changes land in the file in Broker's encoding, and read back here exactly.
    const again = new SqliteBackend({ path: file });
    try {
      expect(exact(again.get('count'))).toBe(exact(count(42)));
      expect(exact(again.get('int'))).toBe(exact(-17n));
      expect(again.get('str')).toBe('h\u00e9llo!');
      expect(exact(again.get('set'))).toBe(exact(set([1n, 'b', 'z'])));
      expect(exact(again.get('table'))).toBe(exact(table([['other', count(1)]])));
      expect(exact(again.get('vec'))).toBe(exact([count(1), 'x', [null], 9n]));
      expect(exact(again.get('from-broker'))).toBe(exact(count(7)));
      expect(again.exists('expired')).toBe(false);
      expect(again.expiries().map((e) => [e.key, e.expiry.ns])).toEqual([['future', farFuture.ns]]);
    } finally {
      again.close();
    }
  }, 90_000);
}

broker14Python.test('a store file written by Broker 1.4 is read by broker-ts with every type exact', async () => {
  const start = BigInt(Date.now()) * 1_000_000n;
  await broker14('write', file);
  const end = BigInt(Date.now()) * 1_000_000n;
  const b = new SqliteBackend({ path: file });
  try {
    const expected: Array<[Data, Data]> = [
      ['none', null],
      ['bool', true],
      ['count', count(42)],
      ['int', -7n],
      ['real', 1.5],
      ['str', 'h\u00e9llo'],
      ['addr', address('192.168.0.1')],
      ['addr6', address('2001:db8::1')],
      ['subnet', subnet('10.0.0.0/8')],
      ['port', port(80, 'tcp')],
      // Broker's Python binding converts the datetime through a double: .678 s becomes .677999872 s.
      ['ts', new Timestamp(1_577_934_245_677_999_872n)],
      ['span', new Timespan(1_500_000_000n)],
      ['enum', enumValue('Log::WRITER_ASCII')],
      ['set', set([1n, 2n, 'a'])],
      ['table', table([['k', [1n, 2n]]])],
      ['vec', [count(1), 'x', [null]]],
      [count(5), 'count key'],
      [[1n, 'a'], 'vector key'],
      ['expiring', 'soon'],
      ['counter', count(3)],
    ];
    for (const [k, v] of expected) expect([toString(k), exact(b.get(k))]).toEqual([toString(k), exact(v)]);
    expect(b.size()).toBe(expected.length);
    expect(exact(b.keys())).toBe(exact(set(expected.map(([k]) => k))));
    // Broker stored the expiry as absolute nanoseconds: now + 1000 s.
    const [exp] = b.expiries();
    expect(exp.key).toBe('expiring');
    expect(exp.expiry.ns).toBeGreaterThanOrEqual(start + 1000n * 1_000_000_000n);
    expect(exp.expiry.ns).toBeLessThanOrEqual(end + 1000n * 1_000_000_000n);
    // And broker-ts keeps operating on it with Broker's semantics.
    expect(exact(b.add('counter', count(1), 'count'))).toBe(exact(count(4)));
    expect(exact(b.add('table', ['k2', 'v'], 'table'))).toBe(exact(table([['k', [1n, 2n]], ['k2', 'v']])));
  } finally {
    b.close();
  }
}, 90_000);
