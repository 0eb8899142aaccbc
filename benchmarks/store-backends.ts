/**
 * Store backends: put and get operations per second on each backend (memory, SQLite with
 * its defaults, SQLite with synchronous OFF and WAL, LMDB, LMDB without sync), side by
 * side, with the memory backend as the baseline measured in the same run. Every put
 * writes the next of 10,000 keys in turn; every get reads the next key that was written.
 *
 * Run: ./node_modules/.bin/tsx --conditions=@broker-ts/source benchmarks/store-backends.ts [--quick]
 */
// First: run in a plain CommonJS process even when started by the tsx command line.
import './lib/plain-node';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { address, count, port, type Data } from '@broker-ts/data';
import { type Backend, type BackendKind, makeBackend } from '@broker-ts/broker/testing';
import { measure, printTable, type Measurement, type MeasureOptions } from './lib/harness';

const KEYS = 10_000;
const quick = process.argv.includes('--quick');
const timing: MeasureOptions = quick ? { roundMs: 200, rounds: 3, warmupMs: 100 } : { roundMs: 500, rounds: 5, warmupMs: 300 };

interface Case {
  name: string;
  kind: BackendKind;
  options: (dir: string) => Record<string, unknown>;
}

const cases: Case[] = [
  { name: 'memory', kind: 'memory', options: () => ({}) },
  { name: 'sqlite (defaults: FULL, DELETE journal)', kind: 'sqlite', options: (dir) => ({ path: path.join(dir, 'default.sqlite') }) },
  { name: 'sqlite (synchronous OFF, WAL)', kind: 'sqlite', options: (dir) => ({ path: path.join(dir, 'off-wal.sqlite'), synchronous: 'off', journalMode: 'wal' }) },
  { name: 'lmdb (sync on commit)', kind: 'lmdb', options: (dir) => ({ path: path.join(dir, 'lmdb-sync') }) },
  { name: 'lmdb (noSync)', kind: 'lmdb', options: (dir) => ({ path: path.join(dir, 'lmdb-nosync'), noSync: true }) },
];

const keys: Data[] = Array.from({ length: KEYS }, (_, i) => `key-${i}`);
/** A small Zeek-like record: what a cluster typically keeps in a store. */
const value = (i: number): Data => [count(i), 'conn', address('10.0.0.1'), port(80, 'tcp')];

function run(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'broker-ts-bench-store-'));
  const puts: Measurement[] = [];
  const gets: Measurement[] = [];
  try {
    for (const c of cases) {
      const backend: Backend = makeBackend(c.kind, c.options(dir));
      try {
        let i = 0;
        puts.push(
          measure(c.name, () => {
            backend.put(keys[i % KEYS], value(i));
            i++;
          }, timing),
        );
        // Read only keys that exist: the slow cases may not have written all of them.
        const written = Math.min(i, KEYS);
        let j = 0;
        gets.push(
          measure(c.name, () => {
            backend.get(keys[j % written]);
            j++;
          }, timing),
        );
      } finally {
        backend.close();
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`store backends, ${KEYS} keys, value ${JSON.stringify('[count, "conn", 10.0.0.1, 80/tcp]')}, node ${process.version}, ${os.cpus().length} cores`);
  printTable('put (ops/s)', puts, 'memory');
  printTable('get (ops/s)', gets, 'memory');
}

run();
