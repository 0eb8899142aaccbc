/**
 * Cross-process message throughput over TCP: actor messages (`ref.tell` from one actor
 * system to an actor in another process, through the runtime's TCP transport) beside two
 * raw baselines measured in the same run, both length-prefixed frames over a plain
 * socket, written in large batches with `drain` backpressure:
 * - raw, one frame per message, each message encoded and decoded with cbor-x (plain maps),
 *   the usual "Node to Node over raw TCP" figure;
 * - raw, the runtime's codec without the runtime: 1000 messages per frame encoded with
 *   cbor-x records as a CBOR sequence (what the envelope codec does), decoded with
 *   `decodeMultiple`.
 *   This is the baseline the actor path is compared with (goal: >= 50% of it).
 *
 * Both cases send the same payload (a conn.log-like event object) from this process to a
 * child process started from this same file; the child counts what it receives and
 * answers samples over the control protocol of `baselines/lib/bench-child.ts`, so rates
 * are measured at the receiver, together with messages per CPU-second of sender +
 * receiver (the machine is shared and loaded). Frames are `baselines/lib`'s
 * length-prefixed frames.
 *
 * Run: ./node_modules/.bin/tsx --conditions=@broker-ts/source benchmarks/actor-tcp.ts [roundSeconds=2] [rounds=3]
 */
// First: run in a plain CommonJS process even when started by the tsx command line.
import './lib/plain-node';
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay, setImmediate as nextTurn } from 'node:timers/promises';
import { Encoder } from 'cbor-x';
import { ActorSystem, type ActorRef, connectTcp, listenTcp } from '@broker-ts/actor';
import { BenchChild } from './baselines/lib/bench-child';
import { CborItems } from './lib/cbor-items';
import { announceReady, serveControl } from './baselines/lib/control-server';
import { FrameBatchWriter, FrameReader } from './baselines/lib/length-prefixed-frames';
import { formatRate, printTable, summarize, type Measurement } from './lib/harness';

const ROUND_SECONDS = Number(process.argv[2] ?? 2);
const ROUNDS = Number(process.argv[3] ?? 3);
const WARMUP_MS = 1000;
/** Messages sent per event-loop turn by either sender. */
const CHUNK = 1000;
/** Actor sender: one acknowledgement request per this many chunks. */
const ACK_EVERY_CHUNKS = 8;
/** Actor sender: acknowledgements outstanding before it waits (so 64 chunks in flight at most). */
const ACKS_IN_FLIGHT = 8;

/** The payload of every message: a conn.log-like event (Broker 1.4's tests/benchmark/broker-benchmark.cc). */
const PAYLOAD = {
  type: 'n',
  ts: 1700000000.123456,
  uid: 'CHhAvVGS1DHFjwGM9',
  id: { orig_h: '192.168.1.100', orig_p: 51234, resp_h: '10.0.0.80', resp_p: 443 },
  proto: 'tcp',
  service: 'ssl',
  duration: 0.253144,
  orig_bytes: 1234,
  resp_bytes: 56789,
  conn_state: 'SF',
  missed_bytes: 0,
  history: 'ShADadFf',
  orig_pkts: 12,
  resp_pkts: 48,
};

const RAW_BATCH = 'raw TCP, 1000 messages per frame, cbor-x records';

const codec = new Encoder({ useRecords: false, mapsAsObjects: true });
/** The envelope codec's cbor-x options (records, self-contained per batch, a sequence of items). */
const batchCodec = new Encoder({ useRecords: true, mapsAsObjects: true });

type Mode = 'raw' | 'raw-batch' | 'actor';

// ---------------------------------------------------------------- receiver (child) --
// The receiver speaks the control protocol of baselines/lib/bench-child.ts: `node <id>`
// (actor mode) and `ready <port>` once listening, `sample` answered with its count and CPU.

/** Messages received so far by this receiver process. */
let received = 0;

function rawReceiver(batched: boolean): Promise<number> {
  const reader = new FrameReader((frame) => {
    if (batched) {
      const msgs = batchCodec.decodeMultiple(frame) as Array<{ type: string }>;
      for (let i = 0; i < msgs.length; i++) if (msgs[i].type === 'n') received++;
    } else if ((codec.decode(frame) as { type: string }).type === 'n') received++;
  });
  const server = createServer({ noDelay: true }, (socket) => socket.on('data', (chunk: Buffer) => reader.push(chunk)));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

async function actorReceiver(): Promise<number> {
  const system = new ActorSystem({ name: 'bench-receiver' });
  system.spawn(() => ({ n: () => void received++, ack: () => received }), { name: 'counter', remote: ['n', 'ack'] });
  const port = await listenTcp(system, { port: 0 });
  process.stdout.write(`node ${system.nodeId}\n`);
  return port;
}

// ------------------------------------------------------------------ sender (parent) --

function startReceiver(mode: Mode): BenchChild {
  return BenchChild.spawnNode(`receiver (${mode})`, __filename, ['receiver', mode]);
}

/**
 * Measures rounds of ROUND_SECONDS at the receiver while the sender runs: the rate is
 * counted there, the CPU is the receiver's and this process's.
 */
async function measureAtReceiver(name: string, receiver: BenchChild): Promise<{ m: Measurement; perCpu: number }> {
  await delay(WARMUP_MS);
  const rates: number[] = [];
  let totalMsgs = 0;
  let totalCpuSeconds = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const a = await receiver.sample();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await delay(ROUND_SECONDS * 1000);
    const b = await receiver.sample();
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    rates.push((b.count - a.count) / seconds);
    totalMsgs += b.count - a.count;
    totalCpuSeconds += b.cpuSeconds - a.cpuSeconds + (cpu.user + cpu.system) / 1e6;
  }
  return { m: summarize(name, rates), perCpu: totalMsgs / totalCpuSeconds };
}

async function runRaw(batched: boolean): Promise<{ m: Measurement; perCpu: number }> {
  const receiver = startReceiver(batched ? 'raw-batch' : 'raw');
  const port = await receiver.ready();
  const socket: Socket = connect({ host: '127.0.0.1', port: port!, noDelay: true });
  await once(socket, 'connect');
  let running = true;
  const sender = (async () => {
    const frames = new FrameBatchWriter(256 * 1024);
    while (running) {
      if (batched) {
        const messages = new Array(CHUNK);
        for (let i = 0; i < CHUNK; i++) messages[i] = PAYLOAD;
        frames.append(batchCodec.encode(new CborItems(messages)));
      } else {
        for (let i = 0; i < CHUNK; i++) {
          const body = codec.encode(PAYLOAD);
          if (frames.wouldOverflow(body.length) && frames.pendingFrames > 0) {
            if (!socket.write(frames.take())) await once(socket, 'drain');
          }
          frames.append(body);
        }
      }
      if (!socket.write(frames.take())) await once(socket, 'drain');
      else await nextTurn();
    }
  })();
  const result = await measureAtReceiver(batched ? RAW_BATCH : 'raw TCP, a frame per message, cbor-x maps', receiver);
  running = false;
  await sender;
  socket.destroy();
  await receiver.stop();
  return result;
}

async function runActor(): Promise<{ m: Measurement; perCpu: number }> {
  const receiver = startReceiver('actor');
  const node = (await receiver.waitForLine(/^node (\S+)$/, 30_000))[1];
  const port = await receiver.ready();
  const system = new ActorSystem({ name: 'bench-sender' });
  await connectTcp(system, '127.0.0.1', port!);
  const counter = (await system.lookup(node, 'counter', { timeout: 30000 })) as ActorRef;
  let running = true;
  const sender = (async () => {
    const acks: Promise<unknown>[] = [];
    for (let chunk = 1; running; chunk++) {
      for (let i = 0; i < CHUNK; i++) counter.tell(PAYLOAD);
      // Application-level window (raw TCP gets it free from drain): the transport's
      // outbound queue is bounded, so the sender keeps a bounded number of messages
      // unacknowledged instead of overflowing it.
      if (chunk % ACK_EVERY_CHUNKS === 0) acks.push(system.request(counter, { type: 'ack' }, { timeout: 60000 }));
      if (acks.length >= ACKS_IN_FLIGHT) await acks.shift();
      else await nextTurn();
    }
    await Promise.all(acks);
  })();
  const result = await measureAtReceiver('actor tell over TCP (TcpNetwork)', receiver);
  running = false;
  await sender;
  await system.shutdown();
  await receiver.stop();
  return result;
}

async function main(): Promise<void> {
  if (process.argv[2] === 'receiver') {
    serveControl({ count: () => received });
    announceReady(process.argv[3] === 'actor' ? await actorReceiver() : await rawReceiver(process.argv[3] === 'raw-batch'));
    return;
  }
  console.log(`payload: ${codec.encode(PAYLOAD).length} bytes of CBOR; ${ROUNDS} rounds of ${ROUND_SECONDS} s after ${WARMUP_MS} ms warm-up; counted at the receiver`);
  const perMessage = await runRaw(false);
  const raw = await runRaw(true);
  const actor = await runActor();
  printTable('Cross-process messages over TCP (sender process -> receiver process)', [perMessage.m, raw.m, actor.m], raw.m.name);
  console.log(`\nmessages per CPU-second (sender + receiver): raw per message ${formatRate(perMessage.perCpu)}, raw batched ${formatRate(raw.perCpu)}, actor ${formatRate(actor.perCpu)}`);
  console.log(`actor / raw batched (same codec): throughput ${(actor.m.opsPerSec / raw.m.opsPerSec).toFixed(2)} (goal >= 0.50), per CPU-second ${(actor.perCpu / raw.perCpu).toFixed(2)}`);
  console.log(`actor / raw per message: throughput ${(actor.m.opsPerSec / perMessage.m.opsPerSec).toFixed(2)}, per CPU-second ${(actor.perCpu / perMessage.perCpu).toFixed(2)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
