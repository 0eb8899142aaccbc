/**
 * One conformance suite, run against every backend: the same operations must give the
 * same results on memory, SQLite and LMDB (Broker's `doc/stores.rst`, `libbroker/broker/detail/abstract_backend.hh`).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  COUNT_MAX,
  INT64_MAX,
  INT64_MIN,
  Timespan,
  Timestamp,
  address,
  count,
  decodeBinary,
  encodeBinary,
  enumValue,
  port,
  set,
  subnet,
  table,
  toString,
  type Data,
  type ErrorCodeName,
} from '@broker-ts/data';
import type { InitType } from './appliers';
import type { Backend, BackendKind, Replaced } from './backend';
import { brokerErrorOf, errorCodeOf } from './__fixtures__/error-code-of';
import { exact } from './__fixtures__/exact';
import { makeBackend } from './make-backend';

const ts = (ns: number | bigint): Timestamp => new Timestamp(BigInt(ns));
const span = (ns: number | bigint): Timespan => new Timespan(BigInt(ns));

/** Everything observable about a backend's content. */
function state(b: Backend): { entries: string; expiries: string[]; size: number } {
  return {
    entries: exact(b.snapshot()),
    expiries: b.expiries().map((e) => `${exact(e.key)} @ ${e.expiry.ns}`),
    size: b.size(),
  };
}

/** Stored types that neither add nor subtract applies to (Broker's `detail/appliers.hh`). */
const INERT: Array<[string, Data, Data, ErrorCodeName]> = [
  ['none is a clash', null, null, 'type_clash'],
  ['boolean is a clash', true, true, 'type_clash'],
  ['address is a clash', address('1.2.3.4'), address('0.0.0.1'), 'type_clash'],
  ['subnet is a clash', subnet('10.0.0.0/8'), subnet('10.0.0.0/8'), 'type_clash'],
  ['port is a clash', port(80, 'tcp'), port(1, 'tcp'), 'type_clash'],
  ['enum_value is a clash', enumValue('A'), enumValue('B'), 'type_clash'],
];

/**
 * Stores `stored` under `k` (expiring at 1000) beside another key, runs a mutation with
 * expiry 2000, and checks the outcome: the new value and expiry, or the error code and an
 * unchanged store.
 */
function checkMutation(b: Backend, stored: Data, expected: Data | ErrorCodeName, mutate: (expiry: Timestamp) => unknown): void {
  b.put('k', stored, ts(1000));
  b.put('other', 'untouched');
  const before = state(b);
  const result = errorCodeOf(() => mutate(ts(2000)));
  if (typeof expected === 'string' && result !== 'ok') {
    expect(result).toBe(expected);
    expect(state(b)).toEqual(before);
    return;
  }
  expect(result).toBe('ok');
  expect(exact(b.get('k'))).toBe(exact(expected));
  expect(b.expiries().map((e) => [e.key, e.expiry.ns])).toEqual([['k', 2000n]]);
  expect(b.get('other')).toBe('untouched');
}

const ALL_KINDS: BackendKind[] = ['memory', 'sqlite', 'lmdb'];

describe.each(ALL_KINDS)('%s backend', (kind) => {
  let dir: string;
  let opened: Backend[];
  let b: Backend;

  const open = (): Backend => {
    const options = kind === 'memory' ? {} : { path: path.join(dir, kind === 'sqlite' ? 'db/store.sqlite' : 'db/store.lmdb') };
    const backend = makeBackend(kind, options);
    opened.push(backend);
    return backend;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'broker-ts-backend-'));
    opened = [];
    b = open();
  });

  afterEach(() => {
    for (const backend of opened) backend.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('put, get, exists, erase, clear', () => {
    it('stores a value of each of the 15 types under a key of each type', () => {
      const values: Data[] = [
        null,
        true,
        count(42),
        -7n,
        1.5,
        'text',
        address('192.168.0.1'),
        subnet('10.0.0.0/8'),
        port(80, 'tcp'),
        ts(1_600_000_000_000_000_000n),
        span(1_500_000_000),
        enumValue('Log::WRITER_ASCII'),
        set([1n, 'a']),
        table([['k', [1n, 2n]]]),
        [count(1), 'x', [null]],
      ];
      for (const v of values) b.put(v, v);
      expect(b.size()).toBe(values.length);
      for (const v of values) expect(exact(b.get(v))).toBe(exact(v));
      expect(exact(b.keys())).toBe(exact(set(values)));
    });

    it('reports an absent key as no_such_key', () => {
      expect(errorCodeOf(() => b.get('missing'))).toBe('no_such_key');
      expect(b.exists('missing')).toBe(false);
    });

    it('keeps count 1, integer 1 and real 1.0 apart as keys', () => {
      b.put(count(1), 'count');
      b.put(1n, 'integer');
      b.put(1.0, 'real');
      expect(b.size()).toBe(3);
      expect(b.get(count(1))).toBe('count');
      expect(b.get(1n)).toBe('integer');
      expect(b.get(1.0)).toBe('real');
    });

    it('finds a container key by an equal value', () => {
      b.put([1n, 'a', set(['x', 'y'])], 'v');
      expect(b.get([1n, 'a', set(['y', 'x'])])).toBe('v');
      expect(b.exists([1n, 'a', set(['y'])])).toBe(false);
    });

    it('overwrites on put', () => {
      b.put('k', 1n);
      b.put('k', 'two');
      expect(b.get('k')).toBe('two');
      expect(b.size()).toBe(1);
    });

    it('hands out copies: mutating a value passed in or returned leaves the store unchanged', () => {
      const v: Data[] = [1n];
      b.put('k', v);
      v.push(2n);
      const got = b.get('k') as Data[];
      got.push(3n);
      expect(exact(b.get('k'))).toBe(exact([1n]));
    });

    it('erase removes a present key and reports an absent one as false, not an error', () => {
      b.put('a', 1n);
      expect(b.erase('a')).toBe(true);
      expect(b.exists('a')).toBe(false);
      expect(b.erase('a')).toBe(false);
    });

    it('clear removes every entry', () => {
      b.put('a', 1n);
      b.put('b', 2n, ts(10));
      b.clear();
      expect(b.size()).toBe(0);
      expect(b.keys().size).toBe(0);
      expect(b.expiries()).toEqual([]);
      b.put('c', 3n);
      expect(b.size()).toBe(1);
    });

    it('lists keys as a Broker set and the content as a Broker table, in Broker order', () => {
      b.put('b', 2n);
      b.put(count(5), 'five');
      b.put(-1n, 'minus one');
      b.put('a', 1n);
      expect(toString(b.keys())).toBe('{5, -1, a, b}');
      expect(toString(b.snapshot())).toBe('{5 -> five, -1 -> minus one, a -> 1, b -> 2}');
    });

    it('hands out its rows for a snapshot in Broker order, unchanged by later writes', () => {
      b.put('b', 2n);
      b.put(count(5), 'five');
      b.put(-1n, 'minus one');
      b.put('a', 1n);
      const rows = b.snapshotRows();
      b.put('a', 'changed');
      b.erase(count(5));
      b.put('c', 3n);
      b.clear();
      b.put('d', 4n);
      expect(rows.size).toBe(4);
      expect([...rows].map((r) => `${toString(decodeBinary(r.key))} -> ${toString(decodeBinary(r.value))}`)).toEqual(['5 -> five', '-1 -> minus one', 'a -> 1', 'b -> 2']);
      expect(toString(b.snapshot())).toBe('{d -> 4}');
    });

    describe('keys equal in Broker order but encoded apart (0.0 and -0.0, NaNs of other bits)', () => {
      /** A real from its 8 big-endian bytes: NaNs keep their bits through the codec. */
      const real = (bits: string): number => decodeBinary(Buffer.from(`04${bits}`, 'hex')) as number;
      const hexOf = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
      // In the order rows are kept: Broker's order, ties broken by the encoding's bytes.
      const KEYS: Array<[string, Data]> = [
        ['0.0', 0.0],
        ['-0.0', -0.0],
        ['NaN', real('7ff8000000000000')],
        ['NaN with payload 1', real('7ff8000000000001')],
        ['negative NaN', real('fff8000000000000')],
        ['[1, 0.0]', [1n, 0.0]],
        ['[1, -0.0]', [1n, -0.0]],
      ];
      const encodings = KEYS.map(([, k]) => exact(k));

      it('the test keys are distinct encodings', () => {
        expect(new Set(encodings).size).toBe(KEYS.length);
      });

      it('holds one row per encoding: get, exists, size, and an erase that leaves the others', () => {
        KEYS.forEach(([name, k]) => b.put(k, name));
        expect(b.size()).toBe(KEYS.length);
        for (const [name, k] of KEYS) {
          expect(b.exists(k)).toBe(true);
          expect(b.get(k)).toBe(name);
        }
        expect(b.erase(-0.0)).toBe(true);
        expect(b.erase(KEYS[3][1])).toBe(true);
        expect(b.erase([1n, 0.0])).toBe(true);
        expect(b.size()).toBe(KEYS.length - 3);
        expect(b.exists(-0.0)).toBe(false);
        expect(b.get(0.0)).toBe('0.0');
        expect(b.get(KEYS[2][1])).toBe('NaN');
        expect(b.get(KEYS[4][1])).toBe('negative NaN');
        expect(b.get([1n, -0.0])).toBe('[1, -0.0]');
        expect(b.exists(KEYS[3][1])).toBe(false);
        b.put(-0.0, 'again');
        expect(b.get(-0.0)).toBe('again');
        expect(b.get(0.0)).toBe('0.0');
      });

      it('hands out every row for a snapshot in a fixed order, whatever the order of the writes, unchanged by later erasures', () => {
        for (const i of [4, 1, 6, 2, 0, 5, 3]) b.put(KEYS[i][1], KEYS[i][0]);
        const rows = b.snapshotRows();
        b.erase(0.0);
        b.erase([1n, -0.0]);
        expect(rows.size).toBe(KEYS.length);
        expect([...rows].map((r) => `${exact(decodeBinary(r.key))} -> ${toString(decodeBinary(r.value))}`)).toEqual(KEYS.map(([name], i) => `${encodings[i]} -> ${name}`));
        const after = [...b.snapshotRows()].map((r) => hexOf(r.key));
        expect(after).toEqual([1, 2, 3, 4, 5].map((i) => hexOf(encodeBinary(KEYS[i][1]))));
      });

      it('keyList has every key; keys() and snapshot() keep the first of equal keys (by encoding) with its own value', () => {
        for (const i of [6, 4, 1, 3, 0, 2, 5]) b.put(KEYS[i][1], KEYS[i][0]);
        expect(b.keyList().map((k) => exact(k))).toEqual(encodings);
        expect(b.keys().size).toBe(3);
        expect([...b.keys()].map((k) => exact(k))).toEqual([encodings[0], encodings[2], encodings[5]]);
        expect([...b.snapshot()].map(([k, v]) => `${exact(k)} -> ${toString(v)}`)).toEqual([0, 2, 5].map((i) => `${encodings[i]} -> ${KEYS[i][0]}`));
      });
    });

    it('rejects an expiry or a time that is not a Timestamp and stays unchanged', () => {
      b.put('k', count(1), ts(10));
      const before = state(b);
      const notATimestamp = 5000 as unknown as Timestamp;
      expect(errorCodeOf(() => b.put('k', 2n, notATimestamp))).toBe('type_clash');
      expect(errorCodeOf(() => b.add('k', count(1), 'count', notATimestamp))).toBe('type_clash');
      expect(errorCodeOf(() => b.subtract('k', count(1), notATimestamp))).toBe('type_clash');
      expect(errorCodeOf(() => b.expire('k', notATimestamp))).toBe('type_clash');
      expect(errorCodeOf(() => b.dropExpired(notATimestamp))).toBe('type_clash');
      expect(state(b)).toEqual(before);
      b.put('k', 2n, null as unknown as undefined);
      expect(b.expiries()).toEqual([]);
    });

    it('rejects a value that is not Broker data and stays unchanged', () => {
      b.put('k', 1n);
      const before = state(b);
      expect(errorCodeOf(() => b.put('k', (() => 1) as unknown as Data))).not.toBe('ok');
      expect(errorCodeOf(() => b.put(Symbol('x') as unknown as Data, 1n))).not.toBe('ok');
      expect(state(b)).toEqual(before);
    });
  });

  describe('add (increment, append, insert_into, push)', () => {
    const rows: Array<[string, Data, Data, Data | ErrorCodeName]> = [
      ['count + count', count(5), count(2), count(7)],
      ['count + integer is a clash', count(5), 2n, 'type_clash'],
      ['count + real is a clash', count(5), 2.0, 'type_clash'],
      ['count overflow wraps modulo 2^64', count(COUNT_MAX), count(2), count(1)],
      ['integer + integer', -3n, 5n, 2n],
      ['integer + count is a clash', 1n, count(1), 'type_clash'],
      ['integer overflow wraps as int64', INT64_MAX, 1n, INT64_MIN],
      ['real + real', 1.5, 2.25, 3.75],
      ['real + integer is a clash', 1.5, 1n, 'type_clash'],
      ['timespan + timespan', span(10), span(5), span(15)],
      ['timespan + integer is a clash', span(10), 5n, 'type_clash'],
      ['timestamp + timespan', ts(100), span(5), ts(105)],
      ['timestamp + timestamp is a clash', ts(100), ts(5), 'type_clash'],
      ['timestamp + integer is a clash', ts(100), 5n, 'type_clash'],
      ['string + string appends', 'ab', 'cd', 'abcd'],
      ['string + count is a clash', 'ab', count(1), 'type_clash'],
      ['vector + anything pushes it', [1n], 'x', [1n, 'x']],
      ['vector + vector pushes the vector', [1n], [2n, 3n], [1n, [2n, 3n]]],
      ['set + new element inserts it', set([1n]), 2n, set([1n, 2n])],
      ['set + present element changes nothing', set([1n]), 1n, set([1n])],
      ['set + pair inserts the vector itself', set([]), ['k', 'v'], set([['k', 'v']])],
      ['table + [k, v] sets k', table([['a', 1n]]), ['b', 2n], table([['a', 1n], ['b', 2n]])],
      ['table + [k, v] overwrites k', table([['a', 1n]]), ['a', 2n], table([['a', 2n]])],
      ['table + non-vector is a clash', table([]), 'a', 'type_clash'],
      ['table + 3-element vector is invalid_data', table([]), ['a', 1n, 2n], 'invalid_data'],
      ['table + 1-element vector is invalid_data', table([]), ['a'], 'invalid_data'],
      ...INERT,
    ];

    it.each(rows)('%s', (_name, stored, value, expected) => {
      checkMutation(b, stored, expected, (expiry) => b.add('k', value, 'none', expiry));
    });

    it('returns the new value', () => {
      b.put('k', count(1));
      expect(exact(b.add('k', count(2), 'count'))).toBe(exact(count(3)));
    });

    const missing: Array<[string, Data, InitType, Data | ErrorCodeName]> = [
      ['a count increment starts at count 0', count(3), 'count', count(3)],
      ['an integer increment starts at 0', -3n, 'integer', -3n],
      ['a real increment starts at 0.0', 1.5, 'real', 1.5],
      ['a timespan increment starts at the epoch (init type timestamp)', span(1_000_000_000), 'timestamp', ts(1_000_000_000)],
      ['a timespan starts at 0s with init type timespan', span(7), 'timespan', span(7)],
      ['append starts at ""', 'ab', 'string', 'ab'],
      ['insert_into a set starts at {}', 1n, 'set', set([1n])],
      ['insert_into a table starts at {}', ['k', 'v'], 'table', table([['k', 'v']])],
      ['push starts at []', 'x', 'vector', ['x']],
      ['init type none is a clash', 'x', 'none', 'type_clash'],
      ['init type boolean is a clash', true, 'boolean', 'type_clash'],
      ['init type address is a clash', address('::1'), 'address', 'type_clash'],
      ['init type count with an integer amount is a clash', 1n, 'count', 'type_clash'],
      ['init type table with a non-pair is a clash', 'x', 'table', 'type_clash'],
      ['init type table with a 3-vector is invalid_data', ['a', 'b', 'c'], 'table', 'invalid_data'],
    ];

    it.each(missing)('missing key: %s', (_name, value, initType, expected) => {
      b.put('other', 1n);
      const before = state(b);
      const result = errorCodeOf(() => b.add('k', value, initType));
      if (typeof expected === 'string' && result !== 'ok') {
        expect(result).toBe(expected);
        expect(b.exists('k')).toBe(false);
        expect(state(b)).toEqual(before);
        return;
      }
      expect(result).toBe('ok');
      expect(exact(b.get('k'))).toBe(exact(expected));
    });
  });

  describe('subtract (decrement, remove_from, pop)', () => {
    const rows: Array<[string, Data, Data, Data | ErrorCodeName]> = [
      ['count - count', count(5), count(2), count(3)],
      ['count underflow wraps to 2^64 - 1', count(0), count(1), count(COUNT_MAX)],
      ['count - integer is a clash', count(5), 1n, 'type_clash'],
      ['integer - integer', 3n, 5n, -2n],
      ['integer underflow wraps as int64', INT64_MIN, 1n, INT64_MAX],
      ['integer - real is a clash', 3n, 1.0, 'type_clash'],
      ['real - real', 3.5, 1.25, 2.25],
      ['real - count is a clash', 3.5, count(1), 'type_clash'],
      ['timespan - timespan', span(10), span(15), span(-5)],
      ['timespan - timestamp is a clash', span(10), ts(1), 'type_clash'],
      ['timestamp - timespan', ts(100), span(30), ts(70)],
      ['timestamp - timestamp is a clash', ts(100), ts(30), 'type_clash'],
      ['string is a clash', 'abc', 'c', 'type_clash'],
      ['vector pops the last element whatever the index', [1n, 2n, 3n], count(0), [1n, 2n]],
      ['vector pops even with a non-index value', ['a', 'b'], 'a', ['a']],
      ['an empty vector stays empty', [], [], []],
      ['set erases an element', set([1n, 2n]), 1n, set([2n])],
      ['set ignores an absent element', set([1n]), 5n, set([1n])],
      ['table erases a key', table([['a', 1n], ['b', 2n]]), 'a', table([['b', 2n]])],
      ['table ignores an absent key', table([['a', 1n]]), 'z', table([['a', 1n]])],
      ...INERT,
    ];

    it.each(rows)('%s', (_name, stored, value, expected) => {
      checkMutation(b, stored, expected, (expiry) => b.subtract('k', value, expiry));
    });

    it('fails with no_such_key on a missing key and creates nothing', () => {
      const before = state(b);
      expect(errorCodeOf(() => b.subtract('missing', count(1)))).toBe('no_such_key');
      expect(errorCodeOf(() => b.subtract('missing', []))).toBe('no_such_key');
      expect(state(b)).toEqual(before);
    });
  });

  describe('expiry', () => {
    it('records the expiry of a put and clears it on a put without one', () => {
      b.put('k', 1n, ts(500));
      expect(b.expiries().map((e) => [e.key, e.expiry.ns])).toEqual([['k', 500n]]);
      b.put('k', 2n);
      expect(b.expiries()).toEqual([]);
      expect(b.expire('k', ts(10_000))).toBe(false);
      expect(b.get('k')).toBe(2n);
    });

    it('add and subtract set the expiry to the operation’s, clearing it when the operation has none', () => {
      b.put('k', count(1), ts(500));
      b.add('k', count(1), 'count', ts(700));
      expect(b.expiries().map((e) => e.expiry.ns)).toEqual([700n]);
      b.subtract('k', count(1));
      expect(b.expiries()).toEqual([]);
    });

    it('a rejected add keeps the old expiry', () => {
      b.put('k', count(1), ts(500));
      expect(errorCodeOf(() => b.add('k', 'x', 'string', ts(900)))).toBe('type_clash');
      expect(b.expiries().map((e) => e.expiry.ns)).toEqual([500n]);
    });

    it('expire removes an entry only when its stored expiry is at or before now', () => {
      b.put('k', 1n, ts(500));
      expect(b.expire('k', ts(499))).toBe(false);
      expect(b.exists('k')).toBe(true);
      expect(b.expire('k', ts(500))).toBe(true);
      expect(b.exists('k')).toBe(false);
      expect(b.expire('k', ts(1000))).toBe(false);
    });

    it('expire leaves an entry without expiry alone', () => {
      b.put('k', 1n);
      expect(b.expire('k', ts(Number.MAX_SAFE_INTEGER))).toBe(false);
      expect(b.get('k')).toBe(1n);
    });

    it('handles expiries before the epoch and at the int64 limits', () => {
      b.put('early', 1n, ts(-5));
      b.put('late', 2n, ts(INT64_MAX));
      expect(b.expiries().map((e) => [e.key, e.expiry.ns])).toEqual([
        ['early', -5n],
        ['late', INT64_MAX],
      ]);
      expect(b.dropExpired(ts(0))).toEqual(['early']);
      expect(b.expire('late', ts(INT64_MAX))).toBe(true);
    });

    it('lists expiries ordered by key and drops every expired entry at once', () => {
      b.put('c', 3n, ts(300));
      b.put('a', 1n, ts(100));
      b.put('b', 2n, ts(200));
      b.put('d', 4n);
      expect(b.expiries().map((e) => e.key)).toEqual(['a', 'b', 'c']);
      expect(b.dropExpired(ts(250))).toEqual(['a', 'b']);
      expect(toString(b.keys())).toBe('{c, d}');
      expect(b.dropExpired(ts(250))).toEqual([]);
    });
  });

  describe('getIndexFromValue', () => {
    const rows: Array<[string, Data, Data, Data | ErrorCodeName]> = [
      ['a vector by count', [10n, 20n, 30n], count(1), 20n],
      ['a vector by non-negative integer', [10n, 20n, 30n], 2n, 30n],
      ['a vector index out of range', [10n, 20n, 30n], count(5), 'no_such_key'],
      ['a vector by negative integer', [10n, 20n, 30n], -1n, 'type_clash'],
      ['a vector by string', [10n], 'x', 'type_clash'],
      ['a vector by real', [10n], 0.0, 'type_clash'],
      ['set membership, present', set(['a', 'b']), 'a', true],
      ['set membership, absent', set(['a', 'b']), 'z', false],
      ['a table value by key', table([['a', 1n]]), 'a', 1n],
      ['a table key that is absent', table([['a', 1n]]), 'z', 'no_such_key'],
      ['any other type gives the whole value (count)', count(7), 'anything', count(7)],
      ['any other type gives the whole value (string)', 'text', 0n, 'text'],
    ];

    it.each(rows)('%s', (_name, stored, index, expected) => {
      b.put('k', stored);
      const before = state(b);
      let got: Data = null;
      const result = errorCodeOf(() => (got = b.getIndexFromValue('k', index)));
      if (typeof expected === 'string' && result !== 'ok') expect(result).toBe(expected);
      else expect(exact(got)).toBe(exact(expected));
      expect(state(b)).toEqual(before);
    });

    it('reports a missing key as no_such_key', () => {
      expect(errorCodeOf(() => b.getIndexFromValue('missing', count(0)))).toBe('no_such_key');
    });
  });

  describe('batch (group commit)', () => {
    it('applies every operation of the batch; a refused one undoes only itself', () => {
      b.put('old', 'x');
      const results = b.batch(() => [
        errorCodeOf(() => b.put('a', 1n)),
        errorCodeOf(() => b.add('n', count(2), 'count')),
        errorCodeOf(() => b.add('old', count(1), 'count', ts(5))), // a string: type_clash
        errorCodeOf(() => b.subtract('missing', 1n)), // no_such_key
        errorCodeOf(() => b.add('n', count(3), 'count')),
        exact(b.get('n')), // reads inside see earlier writes
        errorCodeOf(() => b.erase('a')),
      ]);
      expect(results).toEqual(['ok', 'ok', 'type_clash', 'no_such_key', 'ok', exact(count(5)), 'ok']);
      expect(toString(b.snapshot())).toBe('{n -> 5, old -> x}');
      expect(b.expiries()).toEqual([]);
    });

    it('rolls the whole batch back when its body throws', () => {
      b.put('keep', 1n);
      const before = state(b);
      expect(() =>
        b.batch(() => {
          b.put('gone', 2n);
          b.erase('keep');
          throw new Error('boom');
        }),
      ).toThrow(/boom/);
      if (kind !== 'memory') expect(state(b)).toEqual(before);
    });

    if (kind !== 'memory') {
      it('a batch is on disk once it returns: another handle of the file sees it', () => {
        b.batch(() => {
          for (let i = 0; i < 100; i++) b.put(`k${i}`, BigInt(i));
          b.add('k0', 10n, 'integer');
        });
        b.close();
        const again = open();
        expect(again.size()).toBe(100);
        expect(again.get('k0')).toBe(10n);
        expect(again.get('k99')).toBe(99n);
      });
    }
  });

  describe('the value add and subtract replaced', () => {
    it('is handed to a caller that asks, as exchange returns it, and left alone by a failing write', () => {
      const replaced: Replaced = { old: encodeBinary('untouched') };
      expect(exact(b.add('n', count(2), 'count', undefined, replaced))).toBe(exact(count(2)));
      expect(replaced.old).toBeUndefined();
      b.add('n', count(3), 'count', undefined, replaced);
      expect(replaced.old).toEqual(encodeBinary(count(2)));
      b.subtract('n', count(1), undefined, replaced);
      expect(replaced.old).toEqual(encodeBinary(count(5)));
      // A copy: changing it changes nothing stored.
      replaced.old!.fill(0);
      expect(exact(b.get('n'))).toBe(exact(count(4)));
      b.put('s', 'text');
      const failed: Replaced = { old: encodeBinary('untouched') };
      expect(errorCodeOf(() => b.add('s', count(1), 'count', undefined, failed))).toBe('type_clash');
      expect(errorCodeOf(() => b.subtract('missing', count(1), undefined, failed))).toBe('no_such_key');
      expect(failed.old).toEqual(encodeBinary('untouched'));
    });
  });

  describe('exchange', () => {
    it('puts as put does and returns the stored bytes of the value it replaced', () => {
      expect(b.exchange('k', count(1), ts(1000))).toBeUndefined();
      expect(exact(b.get('k'))).toBe(exact(count(1)));
      expect(b.expiries().map((e) => [e.key, e.expiry.ns])).toEqual([['k', 1000n]]);
      const old = b.exchange('k', ['v', 2n]);
      expect(old).toEqual(encodeBinary(count(1)));
      expect(exact(decodeBinary(old!))).toBe(exact(count(1)));
      // Without an expiry the earlier one is cleared, as by put.
      expect(b.expiries()).toEqual([]);
      expect(b.exchange('k', 'last')).toEqual(encodeBinary(['v', 2n]));
      // Keys equal in Broker's order but encoded apart are two rows here too.
      expect(b.exchange(0.0, 'plus')).toBeUndefined();
      expect(b.exchange(-0.0, 'minus')).toBeUndefined();
      expect(b.exchange(-0.0, 'minus again')).toEqual(encodeBinary('minus'));
      expect(b.size()).toBe(3);
    });

    it('hands out a copy: changing the returned bytes changes nothing stored', () => {
      b.put('k', 'stored');
      const old = b.exchange('k', 'next')!;
      old.fill(0);
      expect(b.exchange('k', 'third')).toEqual(encodeBinary('next'));
    });

    it('refuses a row over maxRowBytes and changes nothing', () => {
      b.put('k', 'y'.repeat(100), ts(1000));
      b.maxRowBytes = 3 + 2 + 100;
      const before = state(b);
      expect(errorCodeOf(() => b.exchange('k', 'y'.repeat(101)))).toBe('invalid_data');
      expect(state(b)).toEqual(before);
    });

    // A throwing batch is rolled back by SQLite and LMDB only (see Backend.batch).
    if (kind !== 'memory') {
      it('is part of a batch: rolled back with it', () => {
        b.put('k', 'before');
        expect(errorCodeOf(() => b.batch(() => {
          b.exchange('k', 'inside');
          b.exchange('new', 'inside');
          throw new Error('abort');
        }))).toBeDefined();
        expect(b.get('k')).toBe('before');
        expect(errorCodeOf(() => b.get('new'))).toBe('no_such_key');
      });
    }
  });

  describe('maxRowBytes', () => {
    it('is unlimited unless set, and then refuses a put, add or subtract whose row would be larger, changing nothing', () => {
      expect(b.maxRowBytes).toBe(Number.POSITIVE_INFINITY);
      b.put('big', 'x'.repeat(1000));
      // Key 'k' encodes in 3 bytes; a string of n ASCII characters in n + 2 when n < 128.
      b.maxRowBytes = 3 + 2 + 100;
      b.put('k', 'y'.repeat(100), ts(1000));
      b.put('other', 'untouched');
      const before = state(b);
      expect(errorCodeOf(() => b.put('k', 'y'.repeat(101)))).toBe('invalid_data');
      expect(brokerErrorOf(() => b.put('k', 'y'.repeat(101))).message).toMatch(/row of key k would have 106 bytes, more than the 105/);
      expect(errorCodeOf(() => b.add('k', 'z', 'string'))).toBe('invalid_data');
      expect(errorCodeOf(() => b.add('new', 'z'.repeat(200), 'string'))).toBe('invalid_data');
      expect(state(b)).toEqual(before);
      // Rows stored before the limit stay readable and can shrink back within it.
      expect(b.get('big')).toBe('x'.repeat(1000));
      b.put('big', 'small');
      b.put('v', ['a'.repeat(40), 'b'.repeat(40)]);
      b.maxRowBytes = 10;
      expect(errorCodeOf(() => b.subtract('v', 'ignored'))).toBe('invalid_data');
      expect(b.get('v')).toEqual(['a'.repeat(40), 'b'.repeat(40)]);
    });
  });

  describe('lifecycle', () => {
    it('fails every operation after close with backend_failure, and close is idempotent', () => {
      b.put('k', 1n);
      b.close();
      b.close();
      for (const op of [() => b.get('k'), () => b.put('k', 2n), () => b.keys(), () => b.size(), () => b.add('k', 1n, 'integer'), () => b.dropExpired(ts(0)), () => b.batch(() => 1)]) {
        expect(errorCodeOf(op)).toBe('backend_failure');
      }
    });
  });

  if (kind !== 'memory') {
    describe('persistence', () => {
      it('keeps data and expiries across a reopen', () => {
        b.put('plain', count(1));
        b.put('expiring', 'x', ts(5000));
        b.add('set', 'e', 'set');
        const before = state(b);
        b.close();
        const again = open();
        expect(state(again)).toEqual(before);
        expect(exact(again.get('plain'))).toBe(exact(count(1)));
      });

      it('drops on load the rows that expired while closed, and reports the rest', () => {
        b.put('gone1', 1n, ts(100));
        b.put('gone2', 2n, ts(200));
        b.put('stays', 3n, ts(10_000));
        b.put('forever', 4n);
        b.close();
        const again = open();
        expect(again.dropExpired(ts(1000))).toEqual(['gone1', 'gone2']);
        expect(again.expiries().map((e) => [e.key, e.expiry.ns])).toEqual([['stays', 10_000n]]);
        again.close();
        const third = open();
        expect(toString(third.keys())).toBe('{forever, stays}');
      });

      it('a rejected operation leaves the file unchanged', () => {
        b.put('k', 'text', ts(42));
        const before = state(b);
        expect(errorCodeOf(() => b.add('k', count(1), 'count', ts(99)))).toBe('type_clash');
        expect(errorCodeOf(() => b.subtract('k', 'x'))).toBe('type_clash');
        expect(errorCodeOf(() => b.subtract('nope', 'x'))).toBe('no_such_key');
        expect(errorCodeOf(() => b.add('new', 'x', 'none'))).toBe('type_clash');
        b.close();
        expect(state(open())).toEqual(before);
      });

      it('creates missing directories', () => {
        expect(fs.existsSync(path.join(dir, 'db'))).toBe(true);
      });

      it('rejects missing or mistyped options with backend_failure', () => {
        expect(errorCodeOf(() => makeBackend(kind, {}))).toBe('backend_failure');
        expect(errorCodeOf(() => makeBackend(kind, { path: 42 }))).toBe('backend_failure');
        expect(errorCodeOf(() => makeBackend(kind, { path: '' }))).toBe('backend_failure');
        expect(errorCodeOf(() => makeBackend(kind, { path: path.join(dir, 'x'), bogus: true }))).toBe('backend_failure');
        expect(() => makeBackend(kind, { path: path.join(dir, 'x'), bogus: true })).toThrow(/unknown option 'bogus'/);
      });

      it('refuses a file of garbage with cannot_open_file and a message naming it', () => {
        b.close();
        const p = path.join(dir, 'db', kind === 'sqlite' ? 'store.sqlite' : 'store.lmdb/data.mdb');
        fs.writeFileSync(p, Buffer.alloc(20_000, 0x5a));
        const err = brokerErrorOf(() => open());
        expect(err.code).toBe('cannot_open_file');
        expect(err.message).toContain(path.join(dir, 'db'));
      });

      it('reports a path that cannot be created as cannot_open_file', () => {
        const file = path.join(dir, 'a-file');
        fs.writeFileSync(file, 'x');
        expect(errorCodeOf(() => makeBackend(kind, { path: path.join(file, 'sub', 'store') }))).toBe('cannot_open_file');
      });
    });
  }
});

describe('makeBackend', () => {
  it('rejects an unknown kind with backend_failure', () => {
    expect(errorCodeOf(() => makeBackend('rocksdb' as BackendKind, { path: '/nonexistent' }))).toBe('backend_failure');
  });

  it('memory ignores its options as Broker does', () => {
    const b = makeBackend('memory', { foo: 4.2 });
    b.put('k', 1n);
    expect(b.get('k')).toBe(1n);
    b.close();
  });
});
