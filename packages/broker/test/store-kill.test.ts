/**
 * Durability of acknowledged writes: a child process running a persistent master (SQLite
 * with Broker's defaults, synchronous FULL and journal DELETE; LMDB with a flush per
 * commit) writes bursts of acknowledged writes (group commits) and is killed with SIGKILL
 * in the middle of a burst, twice; after each restart every write that was acknowledged
 * before the kill is in the store, with its value.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { count, Count, Endpoint } from '@broker-ts/broker';

jest.setTimeout(180_000);

const FIXTURE = path.join(__dirname, 'fixtures', 'store', 'acked-writer.ts');

/** What the child reported as acknowledged. */
interface Acked {
  puts: Map<string, bigint>;
  increments: number;
}

/**
 * Runs the writer until it reported `threshold` acknowledged puts of this round, then
 * kills it with SIGKILL (it is in the middle of a burst then: acknowledgements of one
 * burst arrive group commit by group commit) and waits until it is gone. Every
 * acknowledgement it printed before it died is recorded.
 */
async function runAndKill(kind: string, file: string, prefix: string, threshold: number, acked: Acked): Promise<void> {
  const child = spawn(process.execPath, ['--conditions=@broker-ts/source', '--require', require.resolve('tsx/cjs'), FIXTURE, kind, file, prefix], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // 'close': the process is gone and its output read to the end (acknowledgements printed
  // before the kill still count).
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('close', (code, signal) => resolve(signal ?? code)));
  let buffer = '';
  let round = 0;
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const [what, a, b] = buffer.slice(0, nl).split(' ');
        buffer = buffer.slice(nl + 1);
        if (what === 'put') {
          acked.puts.set(a, BigInt(b));
          if (++round === threshold) {
            child.kill('SIGKILL');
            resolve();
          }
        } else if (what === 'inc') acked.increments = Math.max(acked.increments, Number(a));
      }
    });
    void exited.then((how) => reject(new Error(`the writer exited (${String(how)}) before it was killed: ${stderr}`)));
  });
  expect(await exited).toBe('SIGKILL');
}

describe.each(['sqlite', 'lmdb'])('a %s master killed with SIGKILL in the middle of bursts of acknowledged writes', (kind) => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `broker-ts-kill-${kind}-`));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('after each restart every acknowledged write is in the store', async () => {
    const file = path.join(dir, kind === 'sqlite' ? 'store.sqlite' : 'store.lmdb');
    const acked: Acked = { puts: new Map(), increments: 0 };
    for (const round of ['r1', 'r2']) {
      // 1,100 is not a multiple of the burst (400) nor of a group commit (512).
      await runAndKill(kind, file, round, 1100, acked);
      const ep = new Endpoint({ name: `restarted-${kind}-${round}` });
      try {
        const master = await ep.attachMaster('acked', kind as 'sqlite' | 'lmdb', { path: file });
        const keys = new Set([...(await master.keys())].map(String));
        const missing = [...acked.puts.keys()].filter((k) => !keys.has(k));
        expect(missing).toEqual([]);
        const wrong: string[] = [];
        for (const [key, n] of acked.puts) {
          const value = await master.get(key);
          if (String(value) !== String(count(n))) wrong.push(`${key}: ${String(value)}`);
        }
        expect(wrong).toEqual([]);
        // Every acknowledged increment is in the counter (unacknowledged ones may be too).
        const counter = await master.get('counter');
        expect(counter).toBeInstanceOf(Count);
        expect(Number((counter as Count).value)).toBeGreaterThanOrEqual(acked.increments);
        expect(acked.increments).toBeGreaterThan(0);
      } finally {
        await ep.shutdown();
      }
    }
    expect(acked.puts.size).toBeGreaterThanOrEqual(2200);
  });
});
