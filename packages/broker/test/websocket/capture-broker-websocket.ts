/**
 * Captures what the newest Broker's WebSocket server sends, as a fixture in the format of
 * test/fixtures/websocket/broker-sources.json (which also gives the inputs): the upgrade
 * response, the ack, the reply to each input, the close after a bad first message, and
 * the data messages of all 15 types as Broker re-encodes them for a subscriber.
 *
 * Run: `BROKER_NEWEST_NODE=/path/to/broker-node npx tsx capture-broker-websocket.ts [out.json]`
 * (default out: test/fixtures/websocket/broker-live-capture.json).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import * as path from 'node:path';
import { findReferenceBroker } from '../../../../tools/reference-broker';
import { startBrokerNode } from './broker-node';
import { RawClient } from './ws-helpers';

const FIXTURES = path.join(__dirname, '../fixtures/websocket');

interface Fixture {
  origin: string;
  version: string;
  endpoint: string;
  upgradeRequestKey: string;
  upgradeResponse: string;
  exchanges: Array<{ send: string; receive: string[]; prefix?: boolean }>;
  badFirstMessage: { send: string; closeCode: number | null; closeReason: string | null };
  dataMessages: string[];
}

function upgradeResponse(port: number, key: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = netConnect(port, '127.0.0.1', () => {
      s.write(`GET /v1/messages/json HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n`);
    });
    let got = '';
    s.on('data', (d) => {
      got += d.toString('latin1');
      const end = got.indexOf('\r\n\r\n');
      if (end >= 0) {
        s.destroy();
        resolve(got.slice(0, end + 4));
      }
    });
    s.on('error', reject);
  });
}

/** Waits for `n` frames beyond those already seen, or a close. */
async function frames(c: RawClient, from: number, n: number): Promise<string[]> {
  await c.until(() => c.frames.length >= from + n || c.closed !== undefined, `${n} frames`);
  return c.frames.slice(from, from + n);
}

async function main(): Promise<void> {
  const found = findReferenceBroker();
  if ('reason' in found) throw new Error(found.reason);
  const inputs = JSON.parse(readFileSync(path.join(FIXTURES, 'broker-sources.json'), 'utf8')) as Fixture;
  const node = await startBrokerNode(found.broker.node, ['/test'], inputs.endpoint);
  try {
    const out: Fixture = { ...inputs, exchanges: [], dataMessages: [] };
    out.upgradeResponse = await upgradeResponse(node.wsPort, inputs.upgradeRequestKey);
    // The exchanges, on one connection; a subscribed client shows when a good input went through.
    const watcher = await RawClient.subscribe(node.wsPort, ['/test']);
    const c = await RawClient.open(node.wsPort);
    for (const ex of inputs.exchanges) {
      const before = c.frames.length;
      const watched = watcher.frames.length;
      c.ws.send(ex.send);
      if (ex.receive.length > 0) {
        const got = await frames(c, before, ex.receive.length);
        // `prefix`: the text after ' -> ' is CAF's parser message, compared up to there only.
        out.exchanges.push(ex.prefix === true ? { send: ex.send, receive: got, prefix: true } : { send: ex.send, receive: got });
      } else {
        await frames(watcher, watched, 1);
        out.exchanges.push({ send: ex.send, receive: c.frames.slice(before) });
      }
    }
    const ack = out.exchanges[0].receive[0];
    out.version = (JSON.parse(ack) as { version: string }).version;
    out.endpoint = (JSON.parse(ack) as { endpoint: string }).endpoint;
    // The 15 types as Broker encodes them for a subscriber.
    const pub = await RawClient.subscribe(node.wsPort, []);
    for (const text of inputs.dataMessages) {
      const before = watcher.frames.length;
      pub.ws.send(text);
      out.dataMessages.push((await frames(watcher, before, 1))[0]);
    }
    // After a bad first message: a close, or nothing at all within 3 s (then the frame
    // after it, a valid list, must get no ack either).
    const bad = await RawClient.open(node.wsPort);
    bad.ws.send(inputs.badFirstMessage.send);
    bad.ws.send('["/test"]');
    let closed: { code: number; reason: string } | undefined;
    try {
      closed = await bad.closedWith(3000);
    } catch {
      closed = undefined;
    }
    if (bad.frames.length > 0) throw new Error(`Broker answered a bad first message: ${bad.frames.join(' | ')}`);
    out.badFirstMessage = { send: inputs.badFirstMessage.send, closeCode: closed?.code ?? null, closeReason: closed?.reason ?? null };
    bad.ws.terminate();
    out.origin = `Captured live from broker-node (Broker ${out.version}) by packages/broker/test/websocket/capture-broker-websocket.ts on ${new Date().toISOString().slice(0, 10)}.`;
    for (const x of [watcher, c, pub]) x.close();
    const file = process.argv[2] ?? path.join(FIXTURES, 'broker-live-capture.json');
    writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`wrote ${file}`);
  } finally {
    await node.stop();
  }
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
