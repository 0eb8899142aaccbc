/**
 * Cross-process message throughput over TCP: actor messages (`ref.tell` from one actor
 * system to an actor in another process, through the runtime's TCP transport) beside two
 * raw baselines measured in the same run, both length-prefixed frames over a plain
 * socket, written in large batches with `drain` backpressure:
 * - raw, one frame per message, each message encoded and decoded with cbor-x (plain maps),
 *   the usual "Node to Node over raw TCP" figure;
 * - raw, the runtime's codec without the runtime: 1000 messages per frame encoded as one
 *   CBOR array with cbor-x records (what the envelope codec does), decoded the same way.
 *   This is the baseline the actor path is compared with (goal: >= 50% of it).
 *
 * Both cases send the same payload (a conn.log-like event object) from this process to a
 * child process started from this same file; the child counts what it receives and prints
 * its count and CPU time every 100 ms, so rates are measured at the receiver, together
 * with messages per CPU-second of sender + receiver (the machine is shared and loaded).
 *
 * Run: ./node_modules/.bin/tsx --conditions=@broker-ts/source benchmarks/actor-tcp.ts [roundSeconds=2] [rounds=3]
 * With `PROF_CHILD=1` the receivers write V8 CPU profiles to /tmp/prof-child.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Encoder } from 'cbor-x';
import { ActorSystem, type ActorRef, connectTcp, listenTcp } from '@broker-ts/actor';
import { formatRate, printTable, type Measurement } from './lib/harness';

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
/** The envelope codec's cbor-x options (records, self-contained per batch). */
const batchCodec = new Encoder({ useRecords: true, mapsAsObjects: true });

type Mode = 'raw' | 'raw-batch' | 'actor';

// ---------------------------------------------------------------- receiver (child) --

/** Counter printed by the child: messages received so far. */
let received = 0;

function reportProgress(): void {
  const cpu = process.cpuUsage();
  process.stdout.write(`count ${received} ${(cpu.user + cpu.system) / 1000} ${performance.now()}\n`);
}

async function rawReceiver(batched: boolean): Promise<void> {
  const server = createServer({ noDelay: true }, (socket) => {
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      let buf = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let at = 0;
      while (buf.length - at >= 4) {
        const len = buf.readUInt32BE(at);
        if (buf.length - at - 4 < len) break;
        if (batched) {
          const msgs = batchCodec.decode(buf.subarray(at + 4, at + 4 + len)) as Array<{ type: string }>;
          for (let i = 0; i < msgs.length; i++) if (msgs[i].type === 'n') received++;
        } else {
          const msg = codec.decode(buf.subarray(at + 4, at + 4 + len)) as { type: string };
          if (msg.type === 'n') received++;
        }
        at += 4 + len;
      }
      pending = at === buf.length ? Buffer.alloc(0) : buf.subarray(at);
      buf = pending;
    });
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`ready ${(server.address() as { port: number }).port}\n`));
}

async function actorReceiver(): Promise<void> {
  const system = new ActorSystem({ name: 'bench-receiver' });
  system.spawn(() => ({ n: () => void received++, ack: () => received }), { name: 'counter', remote: ['n', 'ack'] });
  const port = await listenTcp(system, { port: 0 });
  process.stdout.write(`ready ${port} ${system.nodeId}\n`);
}

// ------------------------------------------------------------------ sender (parent) --

/** A receiver child and its progress samples. */
class Receiver {
  samples: Array<{ count: number; cpuMs: number; t: number }> = [];
  port = 0;
  node = '';
  private constructor(readonly proc: ChildProcess) {}

  static async start(mode: Mode): Promise<Receiver> {
    const proc = spawn(process.execPath, [...(process.env.PROF_CHILD ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof-child'] : []), '--conditions=@broker-ts/source', '--require', require.resolve('tsx/cjs'), __filename, 'receiver', mode], { stdio: ['pipe', 'pipe', 'inherit'] });
    const r = new Receiver(proc);
    let out = '';
    await new Promise<void>((resolve, reject) => {
      proc.once('exit', (code) => reject(new Error(`receiver exited with ${code}`)));
      proc.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        let nl: number;
        while ((nl = out.indexOf('\n')) >= 0) {
          const line = out.slice(0, nl).split(' ');
          out = out.slice(nl + 1);
          if (line[0] === 'ready') {
            r.port = Number(line[1]);
            r.node = line[2] ?? '';
            resolve();
          } else if (line[0] === 'count') {
            r.samples.push({ count: Number(line[1]), cpuMs: Number(line[2]), t: Number(line[3]) });
            r.proc.emit('sample');
          }
        }
      });
    });
    return r;
  }

  /** The next progress sample printed after now. */
  async nextSample(): Promise<{ count: number; cpuMs: number; t: number }> {
    await once(this.proc, 'sample');
    return this.samples[this.samples.length - 1];
  }

  async stop(): Promise<void> {
    const exited = once(this.proc, 'exit');
    this.proc.kill(process.env.PROF_CHILD ? 'SIGINT' : 'SIGKILL');
    await exited;
  }
}

/** Measures rounds at the receiver while `running` traffic flows; returns rates. */
async function measureRounds(name: string, receiver: Receiver): Promise<{ m: Measurement; perCpu: number }> {
  const warmEnd = performance.now() + WARMUP_MS;
  while (performance.now() < warmEnd) await receiver.nextSample();
  const rates: number[] = [];
  let totalMsgs = 0;
  let totalCpuMs = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const a = await receiver.nextSample();
    const cpu0 = process.cpuUsage();
    let b = a;
    while (b.t - a.t < ROUND_SECONDS * 1000) b = await receiver.nextSample();
    const cpu = process.cpuUsage(cpu0);
    const msgs = b.count - a.count;
    rates.push(msgs / ((b.t - a.t) / 1000));
    totalMsgs += msgs;
    totalCpuMs += b.cpuMs - a.cpuMs + (cpu.user + cpu.system) / 1000;
  }
  rates.sort((x, y) => x - y);
  return { m: { name, opsPerSec: rates[Math.floor(rates.length / 2)], min: rates[0], max: rates[rates.length - 1], rounds: rates.length }, perCpu: totalMsgs / (totalCpuMs / 1000) };
}

async function runRaw(batched: boolean): Promise<{ m: Measurement; perCpu: number }> {
  const receiver = await Receiver.start(batched ? 'raw-batch' : 'raw');
  const socket: Socket = connect({ host: '127.0.0.1', port: receiver.port, noDelay: true });
  await once(socket, 'connect');
  let running = true;
  const sender = (async () => {
    let batch = Buffer.allocUnsafe(1 << 20);
    while (running) {
      let at = 0;
      if (batched) {
        const messages = new Array(CHUNK);
        for (let i = 0; i < CHUNK; i++) messages[i] = PAYLOAD;
        const body = batchCodec.encode(messages);
        if (4 + body.length > batch.length) batch = Buffer.allocUnsafe(2 * (4 + body.length));
        batch.writeUInt32BE(body.length, 0);
        batch.set(body, 4);
        at = 4 + body.length;
      }
      for (let i = 0; i < (batched ? 0 : CHUNK); i++) {
        const body = codec.encode(PAYLOAD);
        if (at + 4 + body.length > batch.length) {
          const grown = Buffer.allocUnsafe(batch.length * 2);
          batch.copy(grown, 0, 0, at);
          batch = grown;
        }
        batch.writeUInt32BE(body.length, at);
        batch.set(body, at + 4);
        at += 4 + body.length;
      }
      const out = Buffer.from(batch.subarray(0, at));
      if (!socket.write(out)) await once(socket, 'drain');
      else await nextTurn();
    }
  })();
  const result = await measureRounds(batched ? RAW_BATCH : 'raw TCP, a frame per message, cbor-x maps', receiver);
  running = false;
  await sender;
  socket.destroy();
  await receiver.stop();
  return result;
}

async function runActor(): Promise<{ m: Measurement; perCpu: number }> {
  const receiver = await Receiver.start('actor');
  const system = new ActorSystem({ name: 'bench-sender' });
  await connectTcp(system, '127.0.0.1', receiver.port);
  const counter = (await system.lookup(receiver.node, 'counter', { timeout: 30000 })) as ActorRef;
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
  const result = await measureRounds('actor tell over TCP (TcpNetwork)', receiver);
  running = false;
  await sender;
  await system.shutdown();
  await receiver.stop();
  return result;
}

async function main(): Promise<void> {
  if (process.argv[2] === 'receiver') {
    setInterval(reportProgress, 100);
    process.on('SIGINT', () => process.exit(0));
    process.stdin.on('end', () => process.exit(0));
    process.stdin.resume();
    if (process.argv[3] === 'actor') await actorReceiver();
    else await rawReceiver(process.argv[3] === 'raw-batch');
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
