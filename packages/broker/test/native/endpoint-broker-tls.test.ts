/**
 * The TLS cases of Broker's tests/python/ssl-tests.py between a broker-ts endpoint and
 * the newest Broker (its Python bindings, python-endpoint.py), each with either side
 * listening and each mismatch with the two settings on either side: every matching pair
 * peers and a message goes both ways; every mismatch fails with `peer_unavailable` on the
 * broker-ts side and Broker does not peer either. The certificates are generated for the
 * run (certificates.ts). Skipped with the reason where the newest Broker is not built.
 */
import { type EndpointOptions, type Status } from '@broker-ts/broker';
import { awaitPeerSubscriptions, codeOf, nextEvent, until } from '../helpers';
import { newestBroker, newestBrokerPython } from '../../../../tools/requirements';
import { makeTestCertificates, type TestCertificates } from '../../../../tools/test-certificates';
import { liveParts } from './live-endpoints';
import type { ReferenceBroker } from '../../../../tools/reference-broker';

const live = newestBroker();
const withPython = newestBrokerPython(live.broker);
const parts = liveParts(live.broker as ReferenceBroker);

/** One side's TLS settings, as endpoint options and as python-endpoint.py arguments. */
interface Side {
  options: EndpointOptions;
  args: string[];
}
type Settings = (c: TestCertificates) => Side;

/** The settings of ssl-tests.py by name. */
const SETTINGS: Record<string, Settings> = {
  'CA-signed': (c) => ({
    options: { ssl: { certificate: c.cert, key: c.key, cafile: c.ca } },
    args: ['--cert', c.cert, '--key', c.key, '--cafile', c.ca],
  }),
  'CA-signed, passphrase-protected key': (c) => ({
    options: { ssl: { certificate: c.cert, key: c.encryptedKey, passphrase: c.passphrase, cafile: c.ca } },
    args: ['--cert', c.cert, '--key', c.encryptedKey, '--passphrase', c.passphrase, '--cafile', c.ca],
  }),
  'CA-signed, CA directory (capath)': (c) => ({
    options: { ssl: { certificate: c.cert, key: c.key, capath: c.caDir } },
    args: ['--cert', c.cert, '--key', c.key, '--capath', c.caDir],
  }),
  'self-signed, trusted': (c) => ({
    options: { ssl: { certificate: c.selfSignedCert, key: c.selfSignedKey, cafile: c.selfSignedCert } },
    args: ['--cert', c.selfSignedCert, '--key', c.selfSignedKey, '--cafile', c.selfSignedCert],
  }),
  'anonymous TLS': () => ({ options: {}, args: [] }),
  'plain TCP': () => ({ options: { disableSsl: true }, args: ['--disable-ssl'] }),
};

let certs: TestCertificates;
beforeAll(() => {
  if (withPython.outcome === 'run') certs = makeTestCertificates();
});
afterAll(() => certs?.remove());

type Direction = 'broker-ts listens' | 'Broker listens';
const DIRECTIONS: Direction[] = ['broker-ts listens', 'Broker listens'];

/** Every case in both connect directions. */
function both<T extends readonly string[]>(cases: readonly T[]): Array<[...T, Direction]> {
  return cases.flatMap((c) => DIRECTIONS.map((d) => [...c, d] as [...T, Direction]));
}

/**
 * Peers a broker-ts endpoint with `ours` and a Python Broker with `theirs`.
 * @returns whether each side says it peered, the endpoint and the Python endpoint, and
 *   the endpoint's first status or error
 */
async function attempt(ours: Side, theirs: Side, direction: Direction) {
  const ep = parts.endpoint(ours.options);
  const statuses = ep.makeStatusSubscriber(true);
  const py = parts.python(theirs.args);
  await py.command('subscribe /tls/to-broker', 'subscribed');
  let peered: boolean;
  if (direction === 'broker-ts listens') {
    const port = await ep.listen();
    peered = (await py.command(`peer ${port} 0`, 'peered')) === 'peered True';
  } else {
    const port = await py.listen();
    peered = await ep.peer('127.0.0.1', port);
  }
  return { peered, ep, py, first: await statuses.get(), statuses };
}

withPython.describe("Broker's ssl-tests.py with a broker-ts endpoint and the newest Broker", () => {
  jest.setTimeout(30_000);

  it.each(
    both<[string]>([['CA-signed'], ['CA-signed, passphrase-protected key'], ['CA-signed, CA directory (capath)'], ['self-signed, trusted']]),
  )('peers with %s on both sides, %s; a message goes both ways', async (name, direction) => {
    const side = SETTINGS[name](certs);
    const { peered, ep, py, first, statuses } = await attempt(side, side, direction);
    expect(peered).toBe(true);
    expect(codeOf(first)).toBe('endpoint_discovered');
    await nextEvent(statuses, 'peer_added');
    await py.waitForEvent('peer_added');
    const sub = ep.makeSubscriber('/tls/to-ts');
    await awaitPeerSubscriptions(ep, '/tls/to-broker');
    ep.publish('/tls/to-broker', 'ping');
    expect(await py.waitForData('/tls/to-broker')).toBe('ping');
    await until(async () => {
      await py.command('publish /tls/to-ts text pong', 'published');
      return sub.available() > 0;
    }, 'pong from Broker');
    expect(await sub.get()).toEqual(['/tls/to-ts', 'pong']);
  });

  it.each(
    both<[string, string]>([
      ['CA-signed', 'self-signed, trusted'],
      ['self-signed, trusted', 'CA-signed'],
      ['CA-signed', 'anonymous TLS'],
      ['anonymous TLS', 'CA-signed'],
      ['CA-signed', 'plain TCP'],
      ['plain TCP', 'CA-signed'],
    ]),
  )('an endpoint with %s and a Broker with %s do not peer, %s: peer_unavailable', async (ours, theirs, direction) => {
    const { peered, ep, py, first } = await attempt(SETTINGS[ours](certs), SETTINGS[theirs](certs), direction);
    expect(peered).toBe(false);
    expect(codeOf(first)).toBe('peer_unavailable');
    expect((first as Status).message).toMatch(/^unable to connect to remote peer|TLS/);
    expect(await ep.peers()).toEqual([]);
    expect(py.statusCodes()).not.toContain('peer_added');
  });
});
