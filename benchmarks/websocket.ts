/**
 * WebSocket JSON API throughput: one publishing client sends data messages (a small Zeek
 * event) to a server, one subscribed client receives them. The same client code runs
 * against each server, each server in its own process:
 *
 * - broker-ts: `Endpoint.listenWebSocket` (decodes each message, routes it through the
 *   endpoint core, encodes it again for the subscriber);
 * - a raw `ws` relay that forwards frames unparsed (the floor of a WebSocket server in Node);
 * - the newest Broker's `broker-node` with `BROKER_WEB_SOCKET_PORT`, when the environment
 *   variable `BROKER_NEWEST_NODE` names its binary.
 *
 * Reported: messages per second at the subscriber, and messages per CPU-second of the
 * server process (/proc/PID/stat), median of 3 runs of `N` messages each.
 * Run: `npx tsx --conditions=@broker-ts/source benchmarks/websocket.ts [N]`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { count, encodeJsonDataMessage, zeekEvent, address, port as brokerPort, timestamp } from '@broker-ts/broker';
import WebSocket from 'ws';
import { median } from './baselines/lib/bench-result';

const N = Number(process.argv[2] ?? 100_000);
const RUNS = 3;
const TICKS_PER_SECOND = 100;

interface Server {
  name: string;
  proc: ChildProcess;
  port: number;
}

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

async function startNodeServer(name: string, file: string): Promise<Server> {
  const proc = spawn(process.execPath, ['--conditions=@broker-ts/source', '--require', require.resolve('tsx/cjs'), path.join(__dirname, 'websocket', file)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    proc.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    proc.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
  return { name, proc, port };
}

async function startBroker(binary: string): Promise<Server> {
  const port = await freePort();
  const proc = spawn(binary, ['--disable-ssl', '-t', '"/bench-node-only"'], { env: { ...process.env, BROKER_WEB_SOCKET_PORT: `${port}/tcp` }, stdio: ['ignore', 'ignore', 'inherit'] });
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/messages/json`);
      ws.on('open', () => {
        ws.close();
        resolve(true);
      });
      ws.on('error', () => resolve(false));
    });
    if (up) break;
    if (proc.exitCode !== null) throw new Error(`broker-node exited with ${proc.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { name: 'Broker (newest) broker-node', proc, port };
}

function open(port: number, topics: string[]): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/messages/json`, { perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.send(JSON.stringify(topics));
      ws.once('message', () => resolve(ws));
    });
    ws.once('error', reject);
  });
}

const MESSAGE = encodeJsonDataMessage('/bench', zeekEvent('connection_established', [address('192.168.1.10'), brokerPort(443, 'tcp'), count(1234), timestamp(1_700_000_000_000_000_000n), 'CHhAvVGS1DHFjwGM9']));

/**
 * Messages in flight at most (sent, not yet received): below the server's per-client
 * buffer (512 in Broker and broker-ts), whose overflow policy would drop the subscriber.
 */
const WINDOW = 256;

/** One run: N messages from a publisher to a subscriber; returns [msgs/s, msgs per server CPU-s]. */
async function run(server: Server): Promise<[number, number]> {
  const sub = await open(server.port, ['/bench']);
  const pub = await open(server.port, []);
  let received = 0;
  let wake: (() => void) | undefined;
  let closed = false;
  sub.on('message', () => {
    received++;
    wake?.();
  });
  sub.on('close', () => {
    closed = true;
    wake?.();
  });
  const cpu0 = cpuSeconds(server.proc.pid!);
  const t0 = performance.now();
  let sent = 0;
  while (received < N) {
    while (sent < N && sent - received < WINDOW) {
      pub.send(MESSAGE);
      sent++;
    }
    const before = received;
    await new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, 10_000).unref();
    });
    wake = undefined;
    if (closed || received === before) throw new Error(`${server.name}: stalled at ${received}/${N} (subscriber ${closed ? 'closed' : 'open'})`);
  }
  const t1 = performance.now();
  const cpu = cpuSeconds(server.proc.pid!) - cpu0;
  sub.close();
  pub.close();
  return [N / ((t1 - t0) / 1000), N / cpu];
}

async function main(): Promise<void> {
  const servers: Array<() => Promise<Server>> = [() => startNodeServer('broker-ts listenWebSocket', 'bts-ws-server.ts'), () => startNodeServer('raw ws relay (no parsing)', 'ws-relay-server.ts')];
  const brokerNode = process.env.BROKER_NEWEST_NODE;
  if (brokerNode !== undefined && existsSync(brokerNode)) servers.push(() => startBroker(brokerNode));
  else console.log('Broker row skipped: set BROKER_NEWEST_NODE to the newest broker-node binary');
  console.log(`${N} messages per run, median of ${RUNS} runs; message: ${MESSAGE.length} bytes`);
  const rows: Array<[string, number, number]> = [];
  for (const start of servers) {
    const server = await start();
    try {
      await run(server); // warm-up
      const rates: number[] = [];
      const perCpu: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const [r, c] = await run(server);
        rates.push(r);
        perCpu.push(c);
      }
      rows.push([server.name, median(rates), median(perCpu)]);
    } finally {
      server.proc.kill('SIGTERM');
    }
  }
  const ref = rows.find((r) => r[0].startsWith('raw ws'))!;
  console.log(`${'server'.padEnd(32)}${'msgs/s'.padStart(12)}${'msgs/CPU-s'.padStart(14)}${'x relay /s'.padStart(12)}${'x relay /CPU'.padStart(14)}`);
  for (const [name, r, c] of rows) {
    console.log(`${name.padEnd(32)}${(r / 1000).toFixed(1).padStart(10)} k${(c / 1000).toFixed(1).padStart(12)} k${(r / ref[1]).toFixed(2).padStart(12)}${(c / ref[2]).toFixed(2).padStart(14)}`);
  }
}

void main();
