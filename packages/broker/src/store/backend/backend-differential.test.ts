/**
 * Differential test: random sequences of operations run against memory, SQLite and LMDB
 * at once must give identical results (values or error codes) and identical contents,
 * also when the persistent backends are closed and reopened in between.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { BrokerError, DATA_TYPE_NAMES, Timespan, Timestamp, address, count, encodeBinary, enumValue, port, set, table, toString, type Data } from '@broker-ts/data';
import type { Backend } from './backend';
import { LmdbBackend } from './lmdb-backend';
import { MemoryBackend } from './memory-backend';
import { SqliteBackend } from './sqlite-backend';

const scalar: fc.Arbitrary<Data> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((n) => count(n)),
  fc.constantFrom(0n, 1n, 2n, -1n, 2n ** 63n - 1n, -(2n ** 63n)),
  fc.constantFrom(0, 1.5, -2.25, 1e300),
  fc.constantFrom('', 'a', 'b', 'xyz'),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => new Timespan(n)),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => new Timestamp(n)),
  fc.constantFrom(address('10.0.0.1'), port(80, 'tcp'), enumValue('E')),
);
const value: fc.Arbitrary<Data> = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }).map((xs) => set(xs)) },
  { weight: 1, arbitrary: fc.array(fc.tuple(scalar, scalar), { maxLength: 3 }).map((kv) => table(kv)) },
);
const key: fc.Arbitrary<Data> = fc.constantFrom<Data>('a', 'b', count(1), 1n, ['v', 1n]);
// Few distinct times, so that an expiry often equals the time it is checked at.
const expiry = fc.option(fc.bigInt({ min: 0n, max: 4n }).map((n) => new Timestamp(n)), { nil: undefined });
const now = fc.bigInt({ min: 0n, max: 4n }).map((n) => new Timestamp(n));

/** An operation; `reopen` closes the persistent backends and opens them again on the same files. */
type Op = { name: string; run: (b: Backend) => unknown } | { name: 'reopen' };
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.tuple(key, value, expiry).map(([k, v, e]) => ({ name: `put ${toString(k)}`, run: (b: Backend) => b.put(k, v, e) })),
  fc.tuple(key, value, fc.constantFrom(...DATA_TYPE_NAMES), expiry).map(([k, v, t, e]) => ({ name: `add ${toString(k)} ${t}`, run: (b: Backend) => b.add(k, v, t, e) })),
  fc.tuple(key, value, expiry).map(([k, v, e]) => ({ name: `subtract ${toString(k)}`, run: (b: Backend) => b.subtract(k, v, e) })),
  key.map((k) => ({ name: `erase ${toString(k)}`, run: (b: Backend) => b.erase(k) })),
  fc.tuple(key, now).map(([k, t]) => ({ name: `expire ${toString(k)}`, run: (b: Backend) => b.expire(k, t) })),
  key.map((k) => ({ name: `get ${toString(k)}`, run: (b: Backend) => b.get(k) })),
  fc.tuple(key, scalar).map(([k, i]) => ({ name: `getIndexFromValue ${toString(k)}`, run: (b: Backend) => b.getIndexFromValue(k, i) })),
  key.map((k) => ({ name: `exists ${toString(k)}`, run: (b: Backend) => b.exists(k) })),
  now.map((t) => ({ name: 'dropExpired', run: (b: Backend) => b.dropExpired(t) })),
  fc.constant({ name: 'clear', run: (b: Backend) => b.clear() }),
  fc.constant({ name: 'reopen' as const }),
);

function outcome(o: Exclude<Op, { name: 'reopen' }>, b: Backend): string {
  try {
    const result = o.run(b);
    if (result === undefined) return 'ok';
    return `ok ${Buffer.from(encodeBinary(result as Data)).toString('hex')}`;
  } catch (err) {
    if (err instanceof BrokerError) return `error ${err.code}`;
    throw err;
  }
}

function contents(b: Backend): string {
  return `${Buffer.from(encodeBinary(b.snapshot())).toString('hex')} ${b.expiries().map((e) => `${toString(e.key)}@${e.expiry.ns}`).join(',')} ${b.size()}`;
}

it('memory, SQLite and LMDB agree on every random sequence of operations', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'broker-ts-differential-'));
  let run = 0;
  try {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 30 }), (ops) => {
        run++;
        const openSqlite = (): Backend => new SqliteBackend({ path: path.join(dir, `s${run}.sqlite`), synchronous: 'off' });
        const openLmdb = (): Backend => new LmdbBackend({ path: path.join(dir, `l${run}`), noSync: true });
        const backends: Backend[] = [new MemoryBackend(), openSqlite(), openLmdb()];
        try {
          for (const o of ops) {
            if (!('run' in o)) {
              backends[1].close();
              backends[1] = openSqlite();
              backends[2].close();
              backends[2] = openLmdb();
              continue;
            }
            const results = backends.map((b) => outcome(o, b));
            expect({ op: o.name, sqlite: results[1], lmdb: results[2] }).toEqual({ op: o.name, sqlite: results[0], lmdb: results[0] });
          }
          const states = backends.map(contents);
          expect(states[1]).toBe(states[0]);
          expect(states[2]).toBe(states[0]);
        } finally {
          for (const b of backends) b.close();
        }
      }),
      { numRuns: 60 },
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
