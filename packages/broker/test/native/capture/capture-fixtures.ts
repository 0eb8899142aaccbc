/**
 * Records real Broker's bytes on the wire as test fixtures. Run against a Broker built
 * from source (found as the tests find it, see ../reference-broker.ts):
 *
 *   npx tsx packages/broker/test/native/capture/capture-fixtures.ts [output-dir]
 *
 * Every scenario puts a recording TCP proxy between two peers (two Broker processes, a
 * Broker and a broker-ts NativeConnection, or a Broker and a raw socket) and stores the
 * frames of both directions as hex, with the ids, roles and filters of both sides. It
 * does not build Broker. Output: one JSON file per scenario (default
 * packages/broker/test/fixtures/native).
 */
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { encodeHandshakeFrame } from '../../../src/native/native-codec';
import { NATIVE_MAGIC } from '../../../src/native/native-message';
import { NativeConnection } from '../../../src/native/native-connection';
import { nativeTransport } from '../../../src/native/tls-options';
import { type BrokerProcess, findReferenceBroker, freePort, type ReferenceBroker, startBroker } from '../../../../../tools/reference-broker';
import type { CapturedFixture as Fixture, CapturedSide as Side } from './fixture-format';

const LOW_ID = '00000000-0000-4000-8000-000000000001';
const HIGH_ID = 'ffffffff-ffff-4fff-bfff-fffffffffff1';

/** A proxy that records the bytes of the first connection in both directions. */
class RecordingProxy {
  readonly up: Buffer[] = [];
  readonly down: Buffer[] = [];
  private server: net.Server;
  private sockets: net.Socket[] = [];
  private waiters: Array<() => void> = [];
  port = 0;

  constructor(private readonly target: number) {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target, '127.0.0.1');
      this.sockets.push(client, upstream);
      client.on('data', (d: Buffer) => {
        this.up.push(d);
        upstream.write(d);
        this.wake();
      });
      upstream.on('data', (d: Buffer) => {
        this.down.push(d);
        client.write(d);
        this.wake();
      });
      const end = (): void => {
        client.destroy();
        upstream.destroy();
        this.wake();
      };
      client.on('close', end);
      upstream.on('close', end);
      client.on('error', end);
      upstream.on('error', end);
    });
  }

  async start(): Promise<number> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Frames of one direction so far. */
  frames(direction: 'up' | 'down'): Buffer[] {
    const bytes = Buffer.concat(direction === 'up' ? this.up : this.down);
    const out: Buffer[] = [];
    let pos = 0;
    while (bytes.length - pos >= 4) {
      const len = bytes.readUInt32BE(pos);
      if (bytes.length - pos < 4 + len) break;
      out.push(bytes.subarray(pos, pos + 4 + len));
      pos += 4 + len;
    }
    return out;
  }

  /** Waits (on traffic) until `cond` holds, failing after `ms`. */
  async until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`capture: timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** The tag byte of a handshake frame, or the type byte of an operation frame. */
const hsTag = (f: Buffer): number => f[4];
const opType = (f: Buffer): number => (f.length >= 4 + 37 ? f[4 + 32] : -1);
const hasHandshakeTag = (frames: Buffer[], tag: number): boolean => frames.some((f) => hsTag(f) === tag);
const hasOperation = (frames: Buffer[], type: number): boolean => frames.some((f) => opType(f) === type);

async function waitListening(port: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const s = net.connect(port, '127.0.0.1');
    try {
      await once(s, 'connect');
      s.destroy();
      return;
    } catch {
      s.destroy();
      if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function nodeArgs(id: string, topics: string[], extra: string[] = []): string[] {
  return [`--endpoint-id=${id}`, `--topics=[${topics.map((t) => JSON.stringify(t)).join(',')}]`, '--disable-ssl', '-v', ...extra];
}

class Capture {
  private readonly procs: BrokerProcess[] = [];
  readonly written: string[] = [];

  constructor(
    private readonly broker: ReferenceBroker,
    private readonly commit: string,
    private readonly outDir: string,
  ) {}

  private spawn(file: string, args: string[], env: Record<string, string> = {}): BrokerProcess {
    const p = startBroker(file, args, env);
    this.procs.push(p);
    return p;
  }

  private python(role: string, port: number): BrokerProcess {
    return this.spawn('python3', [path.join(__dirname, 'python-peers.py'), role, String(port)], { PYTHONPATH: this.broker.python ?? '' });
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.procs.splice(0).map((p) => p.kill()));
  }

  private save(scenario: string, description: string, proxy: RecordingProxy, connector: Side, acceptor: Side): void {
    const fixture: Fixture = {
      scenario,
      description,
      broker: { version: this.broker.version, commit: this.commit },
      connector,
      acceptor,
      connectorToAcceptor: proxy.frames('up').map((f) => f.toString('hex')),
      acceptorToConnector: proxy.frames('down').map((f) => f.toString('hex')),
    };
    const file = path.join(this.outDir, `${scenario}.json`);
    fs.writeFileSync(file, `${JSON.stringify(fixture, null, 2)}\n`);
    this.written.push(file);
  }

  /** Two broker-node processes peer through the proxy: real Broker in both roles. */
  async brokerToBroker(acceptorId: string, connectorId: string, scenario: string): Promise<void> {
    const port = await freePort();
    this.spawn(this.broker.node, nodeArgs(acceptorId, ['/acceptor']), { BROKER_PORT: `${port}/tcp` });
    await waitListening(port);
    const proxy = new RecordingProxy(port);
    const proxyPort = await proxy.start();
    this.spawn(this.broker.node, nodeArgs(connectorId, ['/connector'], [`--peers=[<tcp://127.0.0.1:${proxyPort}>]`]));
    const originatorIsAcceptor = acceptorId < connectorId;
    await proxy.until(() => hasHandshakeTag(originatorIsAcceptor ? proxy.frames('down') : proxy.frames('up'), 12), 'ORIGINATOR_ACK');
    this.save(
      scenario,
      `broker-node (${originatorIsAcceptor ? 'originator' : 'responder'}) accepts a peering from broker-node (${originatorIsAcceptor ? 'responder' : 'originator'})`,
      proxy,
      { kind: 'broker-node', id: connectorId, role: 'connector', filter: ['/connector'] },
      { kind: 'broker-node', id: acceptorId, role: 'acceptor', filter: ['/acceptor'] },
    );
    await proxy.close();
    await this.stopAll();
  }

  /** broker-ts connects to broker-node, completes the handshake and sends PING "foo". */
  async pingPong(ourId: string, scenario: string): Promise<void> {
    const port = await freePort();
    const brokerId = ourId === LOW_ID ? HIGH_ID : LOW_ID;
    this.spawn(this.broker.node, nodeArgs(brokerId, ['/test']), { BROKER_PORT: `${port}/tcp` });
    await waitListening(port);
    const proxy = new RecordingProxy(port);
    const proxyPort = await proxy.start();
    const conn = NativeConnection.connect('127.0.0.1', proxyPort, { localId: ourId, filter: () => ['/foo/bar'], transport: nativeTransport({ disableSsl: true }) });
    const [info] = (await once(conn, 'established')) as [{ remoteId: string }];
    conn.send({ type: 'ping', sender: ourId, receiver: info.remoteId, ttl: 1, topic: '<$>', payload: Buffer.from('foo') });
    await once(conn, 'message');
    conn.close();
    await once(conn, 'close');
    this.save(
      scenario,
      `broker-ts (${ourId < brokerId ? 'originator' : 'responder'}) connects to broker-node, completes the handshake, sends PING "foo" and gets PONG`,
      proxy,
      { kind: 'broker-ts', id: ourId, role: 'connector', filter: ['/foo/bar'] },
      { kind: 'broker-node', id: brokerId, role: 'acceptor', filter: ['/test'] },
    );
    await proxy.close();
    await this.stopAll();
  }

  /** A raw peer offers only versions 200..201: broker-node answers DROP_CONN. */
  async versionMismatch(): Promise<void> {
    const port = await freePort();
    this.spawn(this.broker.node, nodeArgs(LOW_ID, ['/test']), { BROKER_PORT: `${port}/tcp` });
    await waitListening(port);
    const proxy = new RecordingProxy(port);
    const proxyPort = await proxy.start();
    const raw = net.connect(proxyPort, '127.0.0.1');
    await once(raw, 'connect');
    raw.on('error', () => {});
    raw.write(encodeHandshakeFrame({ type: 'hello', magic: NATIVE_MAGIC, senderId: HIGH_ID, minVersion: 200, maxVersion: 201 }));
    await proxy.until(() => hasHandshakeTag(proxy.frames('down'), 9), 'DROP_CONN');
    raw.destroy();
    this.save(
      'version-mismatch',
      'a raw peer offering protocol versions 200..201 gets PROBE, then DROP_CONN (peer_incompatible) from broker-node',
      proxy,
      { kind: 'raw', id: HIGH_ID, role: 'connector' },
      { kind: 'broker-node', id: LOW_ID, role: 'acceptor', filter: ['/test'] },
    );
    await proxy.close();
    await this.stopAll();
  }

  /** A Python Broker endpoint publishes every data type to broker-ts, then subscribes to more. */
  async dataFromBroker(): Promise<void> {
    const listener = net.createServer();
    const conns: NativeConnection[] = [];
    listener.on('connection', (s) => conns.push(NativeConnection.accept(s, { localId: HIGH_ID, filter: () => ['/test'], transport: nativeTransport({ disableSsl: true }) })));
    listener.listen(0, '127.0.0.1');
    await once(listener, 'listening');
    const proxy = new RecordingProxy((listener.address() as net.AddressInfo).port);
    const proxyPort = await proxy.start();
    const py = this.python('publisher', proxyPort);
    await py.waitForOutput(/ready/);
    py.child.stdin!.write('go\n');
    await py.waitForOutput(/done/);
    await proxy.until(() => hasOperation(proxy.frames('up'), 1), 'DATA');
    await proxy.until(() => hasOperation(proxy.frames('up'), 3), 'ROUTING_UPDATE');
    this.save(
      'data-from-broker',
      'a Python Broker endpoint peers with broker-ts (listening), publishes a Zeek event holding all 15 data types to /test, then subscribes to /late (ROUTING_UPDATE)',
      proxy,
      { kind: 'python', role: 'connector' },
      { kind: 'broker-ts', id: HIGH_ID, role: 'acceptor', filter: ['/test'] },
    );
    for (const c of conns) c.close();
    await proxy.close();
    await this.stopAll();
    await new Promise<void>((r) => listener.close(() => r()));
  }

  /** A Python master and a Python clone of store "s" through the proxy: every store command. */
  async store(): Promise<void> {
    const port = await freePort();
    const master = this.python('master', port);
    await master.waitForOutput(/ready/);
    const proxy = new RecordingProxy(port);
    const proxyPort = await proxy.start();
    const clone = this.python('clone', proxyPort);
    await clone.waitForOutput(/ready/);
    // The clone is attached once the master's ack_clone went through.
    await proxy.until(() => proxy.frames('down').some((f) => opType(f) === 2 && f.length > 4 + 37 && commandIndex(f) === 12), 'ack_clone');
    master.child.stdin!.write('go\n');
    await master.waitForOutput(/done/);
    clone.child.stdin!.write('go\n');
    await clone.waitForOutput(/done/);
    await proxy.until(() => proxy.frames('down').some((f) => opType(f) === 2 && commandIndex(f) === 2), 'put_unique_result');
    this.save(
      'store-commands',
      'a Python clone of store "s" (connector) attaches to a Python master (acceptor); the master runs every store operation incl. an expiry, the clone a put_unique, put, increment, decrement and erase',
      proxy,
      { kind: 'python', role: 'connector' },
      { kind: 'python', role: 'acceptor' },
    );
    await proxy.close();
    await this.stopAll();
  }
}

/** The internal_command variant index of a COMMAND frame (after seq and two entity ids). */
function commandIndex(frame: Buffer): number {
  const topicLen = frame.readUInt16BE(4 + 35);
  const payload = 4 + 37 + topicLen;
  return frame.length > payload + 56 ? frame[payload + 56] : -1;
}

async function main(): Promise<void> {
  const found = findReferenceBroker();
  if ('reason' in found) {
    console.error(`no reference Broker: ${found.reason}`);
    process.exit(2);
  }
  const outDir = path.resolve(process.argv[2] ?? path.join(__dirname, '..', '..', 'fixtures', 'native'));
  fs.mkdirSync(outDir, { recursive: true });
  const cap = new Capture(found.broker, found.broker.commit, outDir);
  try {
    await cap.brokerToBroker(LOW_ID, HIGH_ID, 'broker-broker-acceptor-originates');
    await cap.brokerToBroker(HIGH_ID, LOW_ID, 'broker-broker-connector-originates');
    await cap.pingPong(LOW_ID, 'ping-pong-ts-originates');
    await cap.pingPong(HIGH_ID, 'ping-pong-broker-originates');
    await cap.versionMismatch();
    if (found.broker.python) {
      await cap.dataFromBroker();
      await cap.store();
    } else {
      console.error('Python bindings not built: data-from-broker and store-commands not captured');
    }
  } finally {
    await cap.stopAll();
  }
  for (const f of cap.written) console.log(`wrote ${f}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
