/**
 * Replays the fixtures of Broker's WebSocket JSON API (test/fixtures/websocket/*.json:
 * texts from Broker's sources, and live captures from capture-broker-websocket.ts)
 * against our server session and client protocol, which do no I/O.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { decodeJsonDataMessage } from '@broker-ts/broker';
import { JsonClientProtocol } from '../../src/websocket/json-client-protocol';
import { JsonClientSession } from '../../src/websocket/json-client-session';

interface Fixture {
  origin: string;
  version: string;
  endpoint: string;
  upgradeResponse: string;
  exchanges: Array<{ send: string; receive: string[]; prefix?: boolean }>;
  /** What Broker did after a bad first message: a close, or nothing (null) within the capture's wait. */
  badFirstMessage: { send: string; closeCode: number | null; closeReason: string | null };
  dataMessages: string[];
}

const DIR = path.join(__dirname, '../fixtures/websocket');
const fixtures = readdirSync(DIR).filter((f) => f.endsWith('.json')).map((f) => [f, JSON.parse(readFileSync(path.join(DIR, f), 'utf8')) as Fixture] as const);

test('there is at least the fixture taken from Broker\'s sources', () => {
  expect(fixtures.map(([f]) => f)).toContain('broker-sources.json');
});

describe.each(fixtures)('%s', (_name, fx) => {
  test('the server session answers each input as Broker did', () => {
    const s = new JsonClientSession({ endpointId: fx.endpoint, version: fx.version, bufferSize: 512, overflowPolicy: 'disconnect' });
    for (const ex of fx.exchanges) {
      s.receiveText(ex.send);
      const got = s.takeFrames(100);
      expect(got).toHaveLength(ex.receive.length);
      got.forEach((frame, i) => {
        if (ex.prefix !== true) return expect(frame).toBe(ex.receive[i]);
        // Up to ' -> ': the rest is the JSON parser's own message (CAF's in Broker).
        const cut = ex.receive[i].indexOf(' -> ') + 4;
        expect(cut).toBeGreaterThan(4);
        expect(frame.slice(0, cut)).toBe(ex.receive[i].slice(0, cut));
      });
    }
  });

  test('a bad first message gets what Broker gave it: no reply and no close', () => {
    const s = new JsonClientSession({ endpointId: fx.endpoint, version: fx.version, bufferSize: 512, overflowPolicy: 'disconnect' });
    expect(fx.badFirstMessage.closeCode).toBeNull();
    expect(s.receiveText(fx.badFirstMessage.send)).toEqual([]);
    expect(s.takeFrames(10)).toEqual([]);
  });

  test('our client reads Broker\'s ack and every data message, and the server writes each back byte for byte', () => {
    const c = new JsonClientProtocol(['/']);
    expect(c.receive(fx.exchanges[0].receive[0])).toEqual({ kind: 'ack', endpoint: fx.endpoint, version: fx.version });
    const s = new JsonClientSession({ endpointId: fx.endpoint, version: fx.version, bufferSize: 512, overflowPolicy: 'disconnect' });
    s.receiveText('[]');
    s.takeFrames(1);
    for (const text of fx.dataMessages) {
      const ev = c.receive(text);
      if (ev.kind !== 'message') throw new Error(`${text} did not decode: ${JSON.stringify(ev)}`);
      expect(ev.value).toEqual(decodeJsonDataMessage(text).value);
      s.deliver(ev.topic, ev.value);
      expect(s.takeFrames(1)).toEqual([text]);
    }
    expect(fx.dataMessages.map((t) => JSON.parse(t)['@data-type']).sort()).toEqual(
      ['address', 'boolean', 'count', 'enum-value', 'integer', 'none', 'port', 'real', 'set', 'string', 'subnet', 'table', 'timespan', 'timestamp', 'vector'],
    );
  });
});
