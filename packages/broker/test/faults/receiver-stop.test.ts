/**
 * SIGSTOP and SIGCONT of a receiving process for less than the heartbeat timeout, under
 * each overflow policy of the sender's peer buffer: a pause that the buffer covers is not
 * an overflow, so nothing is lost, duplicated or reordered, and the peering stays up.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { Endpoint } from '@broker-ts/broker';

const NODE = path.join(__dirname, '../fixtures/process/endpoint-node.ts');
let child: ChildProcess | undefined;
let ep: Endpoint | undefined;

afterEach(async () => {
  await ep?.shutdown();
  if (child !== undefined && child.exitCode === null && child.signalCode === null) {
    const gone = new Promise((r) => child!.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  }
});

test.each(['disconnect', 'dropOldest', 'dropNewest'] as const)('with peerOverflowPolicy %s, a receiver stopped for a while gets every message once and in order after SIGCONT', async (policy) => {
  const proc = spawn(process.execPath, ['--conditions=@broker-ts/source', '--require', require.resolve('tsx/cjs'), NODE], {
    env: { ...process.env, NAME: 'receiver', ECHO_FROM: '/seq/in', ECHO_TO: '/seq/out' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child = proc;
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const [word, p] = line.split(' ');
      if (word === 'ready') resolve(Number(p));
    });
    proc.once('exit', (code) => reject(new Error(`receiver exited (${code})`)));
  });
  ep = new Endpoint({ name: 'sender', peerOverflowPolicy: policy, logger: pino({ level: 'silent' }) });
  const sender = ep;
  const back = sender.makeSubscriber('/seq/out');
  const statuses = sender.makeStatusSubscriber(true);
  expect(await sender.peer('127.0.0.1', port, { retry: 200 })).toBe(true);
  // Wait until the echo path works end to end, then send numbered messages.
  let probe = 0;
  const probing = setInterval(() => sender.publish('/seq/in', `probe ${probe++}`), 50);
  while (typeof (await back.get())[1] !== 'string');
  clearInterval(probing);

  const total = 400;
  let sent = 0;
  let phase: 'running' | 'stopped' | 'continued' = 'running';
  const got: number[] = [];
  // One message every 10 ms; the receiver is stopped from the 40th to the 140th (about
  // a second, below the 5 s heartbeat timeout).
  const sending = setInterval(() => {
    sender.publish('/seq/in', ++sent);
    if (phase === 'running' && sent >= 40) {
      phase = 'stopped';
      proc.kill('SIGSTOP');
    } else if (phase === 'stopped' && sent >= 140) {
      phase = 'continued';
      proc.kill('SIGCONT');
    }
    if (sent >= total) clearInterval(sending);
  }, 10);
  while (got.length < total) {
    const value = (await back.get())[1];
    if (typeof value === 'number' || typeof value === 'bigint') got.push(Number(value));
  }
  expect(got).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  expect(statuses.poll().filter((ev) => 'code' in ev && ev.code === 'peer_lost')).toEqual([]);
  expect((await sender.stats()).peerDrops).toBe(0);
}, 60_000);
