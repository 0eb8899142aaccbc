import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as lmdb from 'lmdb';
import { BrokerError, Timestamp, count, decodeBinary, encodeBinary, toString } from '@broker-ts/data';
import { LMDB_MAX_KEY_BYTES, LmdbBackend, parseLmdbOptions } from './lmdb-backend';
import { brokerErrorOf } from './__fixtures__/error-code-of';
import { SORT_RUN } from './sorting-rows';

let dir: string;
const opened: LmdbBackend[] = [];

function open(options: Record<string, unknown> = {}): LmdbBackend {
  const b = new LmdbBackend({ path: path.join(dir, 'env'), ...options });
  opened.push(b);
  return b;
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'broker-ts-lmdb-'));
});

afterEach(() => {
  for (const b of opened.splice(0)) b.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('LmdbBackend', () => {
  it('reads a snapshot in slices through a read transaction: writes made meanwhile are not in it, and the rows come in key order', () => {
    const b = open();
    const n = 2 * SORT_RUN + 10;
    b.batch(() => {
      for (let i = 0; i < n; i++) b.put(count(i), `v${i}`);
      b.put('x'.repeat(LMDB_MAX_KEY_BYTES + 1), 'a hashed key');
    });
    const rows = b.snapshotRows();
    expect(rows.size).toBe(n + 1);
    // Between slices the master goes on writing.
    b.put(count(0), 'changed');
    b.erase(count(1));
    b.put('new', 1n);
    let steps = 1;
    while (!rows.prepare!()) {
      b.put(count(steps + 2), 'changed meanwhile');
      steps++;
    }
    expect(steps).toBe(3);
    const got = [...rows].map((r) => [decodeBinary(r.key), decodeBinary(r.value)] as const);
    expect(got).toHaveLength(n + 1);
    // Broker's order: counts before strings.
    expect(got.slice(0, n)).toEqual(Array.from({ length: n }, (_, i) => [count(i), `v${i}`]));
    expect(got[n]).toEqual(['x'.repeat(LMDB_MAX_KEY_BYTES + 1), 'a hashed key']);
    expect(b.get(count(0))).toBe('changed');
  });

  it('stores keys longer than LMDB allows under a hash and gives them back whole', () => {
    const b = open();
    const long = 'x'.repeat(LMDB_MAX_KEY_BYTES + 100);
    const longVector = [long, 1n];
    expect(encodeBinary(long).length).toBeGreaterThan(LMDB_MAX_KEY_BYTES);
    b.put(long, 'long string key', new Timestamp(5n));
    b.put(longVector, 'long vector key');
    b.put('short', 1n);
    expect(b.get(long)).toBe('long string key');
    expect(b.get(longVector)).toBe('long vector key');
    expect(b.exists([long, 2n])).toBe(false);
    expect(b.size()).toBe(3);
    b.close();
    const again = open();
    expect(again.keys().size).toBe(3);
    expect(again.keys().has(long)).toBe(true);
    expect(again.keys().has(longVector)).toBe(true);
    expect(again.expiries().map((e) => e.key)).toEqual([long]);
    expect(again.dropExpired(new Timestamp(10n))).toEqual([long]);
    expect(again.exists(long)).toBe(false);
    expect(again.erase(longVector)).toBe(true);
    expect(again.size()).toBe(1);
  });

  it('accepts a key exactly at the LMDB limit without hashing it', () => {
    const b = open();
    // A string of n bytes encodes as tag + varbyte length (2 bytes here) + n bytes.
    const key = 'k'.repeat(LMDB_MAX_KEY_BYTES - 3);
    expect(encodeBinary(key).length).toBe(LMDB_MAX_KEY_BYTES);
    b.put(key, 1n);
    expect(b.get(key)).toBe(1n);
    expect(b.keys().has(key)).toBe(true);
  });

  it('refuses a data.mdb that is not an LMDB file with cannot_open_file instead of crashing', () => {
    const env = path.join(dir, 'env');
    fs.mkdirSync(env);
    fs.writeFileSync(path.join(env, 'data.mdb'), Buffer.alloc(10_000, 7));
    const err = brokerErrorOf(() => open());
    expect(err.code).toBe('cannot_open_file');
    expect(err.message).toMatch(/not an LMDB database/);
  });

  it('refuses a truncated data.mdb', () => {
    const env = path.join(dir, 'env');
    fs.mkdirSync(env);
    fs.writeFileSync(path.join(env, 'data.mdb'), Buffer.from([0, 0, 0]));
    expect(brokerErrorOf(() => open()).code).toBe('cannot_open_file');
  });

  it('refuses an LMDB environment that some other program filled', async () => {
    const env = path.join(dir, 'env');
    const foreign = lmdb.open({ path: env, noSubdir: false });
    foreign.putSync('some', 'thing');
    await foreign.close();
    const err = brokerErrorOf(() => open());
    expect(err.code).toBe('cannot_open_file');
    expect(err.message).toMatch(/not a broker-ts store/);
  });

  it('clear keeps the store recognisable as a broker-ts store', () => {
    const b = open();
    b.put('k', 1n);
    b.clear();
    b.close();
    const again = open();
    expect(again.size()).toBe(0);
    again.put('k2', 2n);
    expect(again.get('k2')).toBe(2n);
  });

  it('runs with noSync and keeps data across a reopen after close', () => {
    const b = open({ noSync: true });
    b.put('k', 'v');
    b.close();
    expect(open().get('k')).toBe('v');
  });

  it('is safe to use from several worker threads at once on one environment', async () => {
    const env = path.join(dir, 'env');
    const main = open();
    main.put('from-main', true);
    const perWorker = 200;
    const runWorker = (name: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const worker = new Worker(path.join(__dirname, '__fixtures__', 'lmdb-writer-worker.ts'), {
          workerData: { path: env, name, count: perWorker },
          execArgv: ['--conditions=@broker-ts/source', '--require', require.resolve('tsx/cjs')],
        });
        let wrote = 0;
        worker.on('message', (m: { wrote: number }) => (wrote = m.wrote));
        worker.on('error', reject);
        worker.on('exit', (code) => (code === 0 ? resolve(wrote) : reject(new Error(`worker ${name} exited with ${code}`))));
      });
    const wrote = await Promise.all([runWorker('a'), runWorker('b')]);
    expect(wrote).toEqual([perWorker, perWorker]);
    // The main thread's backend sees both workers' commits.
    expect(main.size()).toBe(1 + 2 * perWorker + 1);
    expect(main.get(['a', 199n])).toBe('a-199');
    expect(main.get(['b', 0n])).toBe('b-0');
    // Read-modify-write transactions from both threads never lost an increment.
    expect(toString(main.get('shared-counter'))).toBe(String(2 * perWorker));
    expect(main.get('shared-counter')).toEqual(count(2 * perWorker));
  });
});

describe('parseLmdbOptions', () => {
  it('takes path and noSync', () => {
    expect(parseLmdbOptions({ path: '/x' })).toEqual({ path: '/x', noSync: false });
    expect(parseLmdbOptions(new Map<string, unknown>([['path', '/x'], ['noSync', true]]))).toEqual({ path: '/x', noSync: true });
  });

  it.each([
    [undefined, /missing the required 'path'/],
    [{ path: 1 }, /option 'path' must be a non-empty string/],
    [{ path: 'a\0b' }, /option 'path'/],
    [{ path: '/x', noSync: 'yes' }, /option 'noSync' must be a boolean/],
    [{ path: '/x', mapSize: 1 }, /unknown option 'mapSize'/],
  ])('rejects %p with backend_failure', (options, message) => {
    const err = brokerErrorOf(() => parseLmdbOptions(options as never));
    expect(err.code).toBe('backend_failure');
    expect(err.message).toMatch(/^failed to initialize lmdb backend: /);
    expect(err.message).toMatch(message);
  });
});
