/**
 * Zeek's messages (libbroker/broker/zeek.hh) between a broker-ts endpoint and the newest
 * Broker, both ways: an event with metadata (network time and a user key), a log
 * create, a log write with binary serial data, an identifier update and a batch. Broker
 * builds and checks them through its Python bindings (python-endpoint.py): the bindings
 * construct events with `broker.zeek.Event` and validate received ones with Broker's own
 * parser; the other kinds have no Python class and are built as Broker data in the
 * layout of zeek.hh. Skipped with the reason where the newest Broker is not built.
 */
import { type Data, parseZeekMessage } from '@broker-ts/broker';
import { awaitPeerSubscriptions, until } from '../helpers';
import { newestBroker, newestBrokerPython } from '../../../../tools/requirements';
import { liveParts } from './live-endpoints';
import type { ReferenceBroker } from '../../../../tools/reference-broker';
import { ZEEK_MESSAGE_DATA, ZEEK_MESSAGES } from './zeek-messages';

const live = newestBroker();
const withPython = newestBrokerPython(live.broker);
const parts = liveParts(live.broker as ReferenceBroker);

withPython.describe("Zeek's messages with the newest Broker (Python bindings)", () => {
  jest.setTimeout(20_000);

  it('receives each Zeek message Broker publishes exactly, and parses it', async () => {
    const ep = parts.endpoint();
    const sub = ep.makeSubscriber('/zeek/to-ts', { queueSize: 1024 });
    const port = await ep.listen();
    const py = parts.python();
    expect(await py.command(`peer ${port} 0`, 'peered')).toBe('peered True');
    await py.waitForEvent('peer_added');
    // Broker may install our filter after answering the peering: probe until it has.
    await until(async () => {
      await py.command('publish /zeek/to-ts text probe', 'published');
      return sub.available() > 0;
    }, 'Broker following our filter');
    await py.command('publish /zeek/to-ts zeek_messages', 'published');
    const got: Data[] = [];
    while (got.length < ZEEK_MESSAGES.length) {
      const [, value] = await sub.get();
      if (value !== 'probe') got.push(value);
    }
    expect(got).toEqual(ZEEK_MESSAGE_DATA.map(([, value]) => value));
    expect(got.map((value) => parseZeekMessage(value))).toEqual(ZEEK_MESSAGES.map(([, msg]) => msg));
  });

  it("sends each Zeek message to Broker exactly: equal to Broker's own, events accepted by Broker's parser", async () => {
    const py = parts.python();
    await py.command('check_zeek /zeek/to-broker', 'checking');
    const port = await py.listen();
    const ep = parts.endpoint();
    expect(await ep.peer('127.0.0.1', port)).toBe(true);
    await awaitPeerSubscriptions(ep, '/zeek/to-broker');
    const from = py.lines().length;
    for (const [, value] of ZEEK_MESSAGE_DATA) ep.publish('/zeek/to-broker', value);
    const verdicts = (): string[] => py.lines().slice(from).filter((line) => line.startsWith('zeek'));
    await py.waitFor(() => verdicts().length >= ZEEK_MESSAGES.length, from);
    expect(verdicts()).toEqual(['zeek event Broker::ping', 'zeek log_create', 'zeek log_write', 'zeek identifier_update', 'zeek batch Broker::ping']);
  });
});
