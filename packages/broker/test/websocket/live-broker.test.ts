/**
 * Live, against the newest Broker (found as tools/requirements.ts says; skipped with the
 * reason when absent): our client talks to Broker's WebSocket server, values of all 15
 * types and Zeek events with metadata go both ways between two of our clients through
 * it, and Broker answers bad input with its error message.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { type BrokerError, connectWebSocket, count, equals, parseZeekMessage, timestamp, type WebSocketClient, zeekEvent } from '@broker-ts/broker';
import { ALL_TYPES } from './all-types';
import { freePort } from '../../../../tools/reference-broker';
import { newestBroker, newestBrokerPython, SYSTEM_PYTHON } from '../../../../tools/requirements';
import { type BrokerNode, startBrokerNode } from './broker-node';
import { RawClient } from './ws-helpers';

jest.setTimeout(120_000);

const { req: live, broker } = newestBroker();
const withPython = newestBrokerPython(broker);
let node: BrokerNode | undefined;
const clients: WebSocketClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await node?.stop();
  node = undefined;
});

async function client(topics: string[], onError?: (e: BrokerError) => void): Promise<WebSocketClient> {
  const c = await connectWebSocket(`ws://127.0.0.1:${node!.wsPort}/v1/messages/json`, { topics, onError });
  clients.push(c);
  return c;
}

live.test('our client gets Broker\'s ack, and every one of the 15 types crosses Broker type-exact', async () => {
  node = await startBrokerNode(broker!.node, ['/node-only']);
  const rx = await client(['/types']);
  const tx = await client([]);
  expect(rx.server?.version).toMatch(/^2\.\d+\.\d+/);
  expect(rx.server?.endpoint).toMatch(/^[0-9a-f-]{36}$/);
  for (const [name, v] of ALL_TYPES) tx.publish(`/types/${name}`, v);
  const got = await rx.getMany(ALL_TYPES.length, { timeout: 30_000 });
  expect(got.map((m) => m[0])).toEqual(ALL_TYPES.map(([n]) => `/types/${n}`));
  got.forEach(([, v], i) => expect([ALL_TYPES[i][0], equals(v, ALL_TYPES[i][1])]).toEqual([ALL_TYPES[i][0], true]));
});

live.test('Zeek events with metadata go both ways between two of our clients through Broker', async () => {
  node = await startBrokerNode(broker!.node, ['/node-only']);
  const a = await client(['/zeek/to-a']);
  const b = await client(['/zeek/to-b']);
  const ts = timestamp(1_700_000_000_000_000_000n);
  a.publish('/zeek/to-b', zeekEvent('ping', [count(1)], [[1, ts], [200, 'meta']]));
  const [, atB] = (await b.get({ timeout: 30_000 }))!;
  expect(parseZeekMessage(atB)).toEqual({ kind: 'event', name: 'ping', args: [count(1)], metadata: [[1, ts], [200, 'meta']] });
  b.publish('/zeek/to-a', zeekEvent('pong', [count(2)], [[1, ts]]));
  const [, atA] = (await a.get({ timeout: 30_000 }))!;
  expect(parseZeekMessage(atA)).toEqual({ kind: 'event', name: 'pong', args: [count(2)], metadata: [[1, ts]] });
});

live.test('Broker answers bad input with its error message and keeps the connection open', async () => {
  node = await startBrokerNode(broker!.node, ['/node-only']);
  const rx = await client(['/t']);
  const raw = await RawClient.subscribe(node.wsPort, []);
  try {
    raw.ws.send('{"type":"data-message","topic":"/t","@data-type":"phone","data":"555-0123"}');
    expect(JSON.parse(await raw.next())).toEqual({ type: 'error', code: 'deserialization_failed', context: 'input #1 contained invalid data' });
    raw.ws.send('{"type":"data-message","topic":"/t","@data-type":"string","data":"fine"}');
    expect(await rx.get({ timeout: 30_000 })).toEqual(['/t', 'fine']);
  } finally {
    raw.close();
  }
});

withPython.test('Zeek events go both ways between our WebSocket client and a native Broker endpoint, with metadata from Broker', async () => {
  const wsPort = await freePort();
  const proc = spawn(SYSTEM_PYTHON, [path.join(__dirname, 'broker-python-zeek.py')], {
    env: { ...process.env, PYTHONPATH: broker!.python, BROKER_WEB_SOCKET_PORT: `${wsPort}/tcp` },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  const step = async (): Promise<Record<string, unknown>> => {
    const r = await lines.next();
    if (r.done === true) throw new Error(`the native endpoint ended: ${stderr}`);
    return JSON.parse(r.value) as Record<string, unknown>;
  };
  try {
    expect(await step()).toEqual({ step: 'ready' });
    const c = await connectWebSocket(`ws://127.0.0.1:${wsPort}/v1/messages/json`, { topics: ['/zeek/to-ws'], retry: 100 });
    clients.push(c);
    const ts = timestamp(1_700_000_000_000_000_000n);
    // Without metadata this way: the newest Broker's Python bindings crash (SIGSEGV) on
    // receiving an event whose metadata holds a timestamp; the broker-node test above
    // carries metadata both ways.
    c.publish('/zeek/to-native', zeekEvent('ws::ping', [count(1), 'hi']));
    expect(await step()).toEqual({ step: 'received', topic: '/zeek/to-native', name: 'ws::ping', args: ['1', 'hi'], metadata: [] });
    expect(await step()).toEqual({ step: 'published' });
    const [topic, value] = (await c.get({ timeout: 30_000 }))!;
    expect(topic).toBe('/zeek/to-ws');
    expect(parseZeekMessage(value)).toEqual({ kind: 'event', name: 'native::pong', args: [count(42), 'from-native'], metadata: [[1, ts]] });
  } finally {
    proc.stdin.end();
    if (proc.exitCode === null) await new Promise((r) => proc.once('exit', r));
  }
});
