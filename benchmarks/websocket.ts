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
// First: run in a plain CommonJS process even when started by the tsx command line.
import './lib/plain-node';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { count, encodeJsonDataMessage, zeekEvent, address, port as brokerPort, timestamp } from '@broker-ts/broker';
import WebSocket from 'ws';
import { median } from './baselines/lib/bench-result';
import { BenchChild } from './baselines/lib/bench-child';
import { procCpuSeconds } from './baselines/lib/proc-cpu';

const N = Number(process.argv[2] ?? 100_000);
const RUNS = 3;

interface Server {
  name: string;
  child: BenchChild;
  port: number;
  /** Ends the server. */
  stop(): Promise<void>;
}

async function startNodeServer(name: string, file: string): Promise<Server> {
  const child = BenchChild.spawnNode(name, path.join(__dirname, 'websocket', file));
  const port = await child.ready();
  if (port === undefined) throw new Error(`${name} announced no port`);
  return { name, child, port, stop: () => child.stop() };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** Broker's broker-node does not speak the control protocol: its port is probed until it answers. */
async function startBroker(binary: string): Promise<Server> {
  const port = await freePort();
  const name = 'Broker (newest) broker-node';
  const child = BenchChild.spawn({ name, command: binary, args: ['--disable-ssl', '-t', '"/bench-node-only"'], env: { BROKER_WEB_SOCKET_PORT: `${port}/tcp` } });
  let exited = false;
  void child.exited.then(() => (exited = true));
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
    if (exited) throw new Error(`${name} exited before serving`);
    await delay(100);
  }
  return { name, child, port, stop: () => child.kill('SIGTERM') };
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
  const cpu0 = procCpuSeconds(server.child.pid);
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
  const cpu = procCpuSeconds(server.child.pid) - cpu0;
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
      await server.stop();
    }
  }
  const ref = rows.find((r) => r[0].startsWith('raw ws'))!;
  console.log(`${'server'.padEnd(32)}${'msgs/s'.padStart(12)}${'msgs/CPU-s'.padStart(14)}${'x relay /s'.padStart(12)}${'x relay /CPU'.padStart(14)}`);
  for (const [name, r, c] of rows) {
    console.log(`${name.padEnd(32)}${(r / 1000).toFixed(1).padStart(10)} k${(c / 1000).toFixed(1).padStart(12)} k${(r / ref[1]).toFixed(2).padStart(12)}${(c / ref[2]).toFixed(2).padStart(14)}`);
  }
}

void main();
