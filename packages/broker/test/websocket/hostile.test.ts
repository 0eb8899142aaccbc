/**
 * Hostile WebSocket clients against the JSON API server: malformed and misshapen input,
 * invalid UTF-8, binary and oversized frames, clients that never read or never send
 * their subscription list, too many clients, and thousands of connects and disconnects.
 * The endpoint stays up, other clients keep their traffic, and file descriptors and
 * memory return to their baseline.
 */
import { readdirSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { connectWebSocket, count, encodeJsonDataMessage, Endpoint, isStatus, type Status } from '@broker-ts/broker';
import { until } from '../helpers';
import { RawClient } from './ws-helpers';

jest.setTimeout(120_000);

let ep: Endpoint;
let wsPort: number;
const open: Array<{ close(): void }> = [];

async function serve(options: Parameters<Endpoint['listenWebSocket']>[2] = {}): Promise<void> {
  ep = new Endpoint({ name: 'ws' });
  wsPort = await ep.listenWebSocket('127.0.0.1', 0, { disableSsl: true, ...options });
}

afterEach(async () => {
  for (const c of open.splice(0)) c.close();
  await ep.shutdown();
});

async function raw(topics?: string[]): Promise<RawClient> {
  const c = topics === undefined ? await RawClient.open(wsPort) : await RawClient.subscribe(wsPort, topics);
  open.push(c);
  return c;
}

/** A healthy client keeps its traffic: a message published now reaches it. */
async function stillServes(): Promise<void> {
  const c = await connectWebSocket(`ws://127.0.0.1:${wsPort}/v1/messages/json`, { topics: ['/healthy'] });
  ep.publish('/healthy', 'yes');
  expect(await c.get({ timeout: 20_000 })).toEqual(['/healthy', 'yes']);
  c.close();
}

test('malformed JSON and JSON of the wrong shape get Broker error messages, numbered by input, and the connection stays open', async () => {
  await serve();
  const c = await raw(['/t']);
  const sub = ep.makeSubscriber('/t');
  c.ws.send('{this is not json');
  const e1 = JSON.parse(await c.next());
  expect(e1.type).toBe('error');
  expect(e1.code).toBe('deserialization_failed');
  expect(e1.context).toMatch(/^input #1 contained malformed JSON -> /);
  const cases: Array<[string, string]> = [
    ['[1,2,3]', 'input #2 expected a JSON object'],
    ['"just a string"', 'input #3 expected a JSON object'],
    ['{"topic":"/t","@data-type":"phone","data":"555-0123"}', 'input #4 contained invalid data'],
    ['{"type":"data-message","topic":"/t","@data-type":"count","data":-1}', 'input #5 contained invalid data'],
    ['{"type":"data-message","topic":"/t","@data-type":"count","data":18446744073709551616}', 'input #6 contained invalid data'],
    ['{"type":"data-message","@data-type":"count","data":1}', 'input #7 contained invalid data'],
    ['{"type":"data-message","topic":"/t","@data-type":"vector","data":[{"@data-type":"integer"}]}', 'input #8 contained invalid data'],
    ['{"type":"data-message","topic":"<$>/local/data/statuses","@data-type":"none","data":{}}', 'input #9 used the reserved topic prefix of <$>/local/data/statuses'],
  ];
  for (const [input, context] of cases) {
    c.ws.send(input);
    expect(await c.next()).toBe(`{"type":"error","code":"deserialization_failed","context":"${context.replace(/"/g, '\\"')}"}`);
  }
  // Still open: a good message goes through.
  c.ws.send(encodeJsonDataMessage('/t', count(7)));
  expect(await sub.get({ timeout: 20_000 })).toEqual(['/t', count(7)]);
  expect(c.closed).toBeUndefined();
});

test('a first message that is not a list of topics gets no reply, as in the newest Broker, and handshakeTimeout ends the connection', async () => {
  await serve({ handshakeTimeout: 300 });
  for (const first of ['{"topics":["/t"]}', '[1]', 'nope']) {
    const c = await raw();
    c.ws.send(first);
    c.ws.send('["/t"]');
    expect(await c.closedWith()).toEqual({ code: 1008, reason: 'no subscription list received in time' });
    expect(c.frames).toEqual([]);
  }
  await stillServes();
});

test('a text frame with invalid UTF-8 closes that connection with 1007; binary frames with 1003', async () => {
  await serve();
  const bad = await raw(['/t']);
  bad.ws.send(Buffer.from([0x5b, 0x22, 0xff, 0xfe, 0x22, 0x5d]), { binary: false });
  expect((await bad.closedWith()).code).toBe(1007);
  const bin = await raw(['/t']);
  bin.ws.send(Buffer.from('["/t"]'), { binary: true });
  expect((await bin.closedWith()).code).toBe(1003);
  await stillServes();
});

test('a frame larger than maxFrameSize closes that connection with 1009', async () => {
  await serve({ maxFrameSize: 1024 });
  const c = await raw(['/t']);
  c.ws.send(encodeJsonDataMessage('/t', 'x'.repeat(2000)));
  expect((await c.closedWith()).code).toBe(1009);
  await stillServes();
});

test('a client that never sends its subscription list is dropped after handshakeTimeout; the others are served meanwhile', async () => {
  await serve({ handshakeTimeout: 300 });
  const silent = await raw();
  await stillServes();
  expect(await silent.closedWith()).toEqual({ code: 1008, reason: 'no subscription list received in time' });
});

test('more clients than maxClients are refused with 503 and the reason', async () => {
  await serve({ maxClients: 2 });
  await raw(['/a']);
  await raw(['/b']);
  await expect(RawClient.open(wsPort)).rejects.toThrow(/503/);
  open.pop()!.close();
  await until(async () => {
    try {
      const c = await RawClient.open(wsPort);
      open.push(c);
      return true;
    } catch {
      return false;
    }
  }, 'a free client slot');
});

/** Completes a WebSocket handshake on a raw socket, sends the subscription list, then never reads again. */
function stalledClient(port: number, topics: string[]): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = netConnect(port, '127.0.0.1', () => {
      s.write('GET /v1/messages/json HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    });
    s.once('data', () => {
      const payload = Buffer.from(JSON.stringify(topics));
      const mask = Buffer.from([1, 2, 3, 4]);
      const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
      s.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
      s.pause();
      resolve(s);
    });
    s.on('error', reject);
  });
}

test('a client that never reads overflows its own buffer and is removed (peer_removed); the endpoint and a reading client keep all their traffic', async () => {
  await serve({ bufferSize: 32 });
  const statuses = ep.makeStatusSubscriber(true);
  const stalled = await stalledClient(wsPort, ['/flood']);
  open.push({ close: () => stalled.destroy() });
  const reader = await connectWebSocket(`ws://127.0.0.1:${wsPort}/v1/messages/json`, { topics: ['/flood'], queueSize: 1000 });
  open.push(reader);
  const added = new Set<string>();
  await until(async () => {
    for (const ev of statuses.poll()) if (isStatus(ev) && ev.code === 'peer_added') added.add(ev.context.id!);
    return added.size === 2;
  }, 'both clients attached');
  const big = 'x'.repeat(64 * 1024);
  const n = 600;
  let received = 0;
  const reading = (async () => {
    while (received < n) {
      await reader.get();
      received++;
    }
  })();
  // The reading client stays within its own buffer (32) however loaded the machine is: at
  // most 16 messages ahead of it. The stalled one reads nothing, so it overflows anyway.
  for (let i = 0; i < n; i++) {
    ep.publish('/flood', big);
    while (i + 1 - received > 16) await new Promise((r) => setImmediate(r));
  }
  await reading;
  expect(received).toBe(n);
  let removed: Status | undefined;
  await until(() => {
    for (const ev of statuses.poll()) if (isStatus(ev) && ev.code === 'peer_removed') removed = ev;
    return removed !== undefined;
  }, 'the stalled client removed');
  expect(removed!.message).toBe('client removed: caf::sec::backpressure_overflow');
  await stillServes();
});

function fdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

test('thousands of connects and disconnects leave the endpoint up and file descriptors and memory at their baseline', async () => {
  setFlagsFromString('--expose_gc');
  const gc = runInNewContext('gc') as () => void;
  await serve();
  await stillServes();
  gc();
  const fds = fdCount();
  const heap = process.memoryUsage().heapUsed;
  const rounds = 40;
  const perRound = 50;
  for (let r = 0; r < rounds; r++) {
    const batch = await Promise.all(Array.from({ length: perRound }, (_, i) => (i % 2 === 0 ? RawClient.subscribe(wsPort, ['/churn']) : RawClient.open(wsPort))));
    ep.publish('/churn', r);
    for (const [i, c] of batch.entries()) {
      if (i % 3 === 0) c.ws.terminate();
      else c.close();
    }
    await Promise.all(batch.map((c) => c.closedWith()));
  }
  await stillServes();
  await until(() => fdCount() <= fds + 2, `file descriptors back to ${fds} (now ${fdCount()})`);
  gc();
  const grown = process.memoryUsage().heapUsed - heap;
  expect(grown).toBeLessThan(8 * 1024 * 1024);
});
