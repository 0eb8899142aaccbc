/**
 * broker-ts's `broker-pipe`, `broker-node` and `broker-throughput` against the newest
 * Broker's own tools (its build's `bin/`), with the same TLS options on both sides:
 * `--disable-ssl`, nothing (Broker's anonymous TLS) and `--broker.ssl.*` (verified TLS
 * with certificates generated for the run, the CA as a file or as a hashed directory, a
 * key with and without a passphrase). Messages go both ways: pipes publish to each other,
 * nodes play ping and pong with each other (the ids forced with `--endpoint-id` so that
 * either side is the handshake's originator). Skipped with the reason where the newest
 * Broker is not built.
 */
import * as path from 'node:path';

import { makeTestCertificates, type TestCertificates } from '../../../tools/test-certificates';
import { type BrokerProcess, connectWhenListening, freePort, type ReferenceBroker, startBroker } from '../../../tools/reference-broker';
import { newestBroker } from '../../../tools/requirements';

const live = newestBroker();
const broker = live.broker as ReferenceBroker;

const running: BrokerProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.kill()));
});

/** One of this package's tools, on its TypeScript sources, stdin kept open. */
function ours(tool: 'broker-pipe' | 'broker-node' | 'broker-throughput', args: string[]): BrokerProcess {
  const file = path.join(__dirname, `${tool}.ts`);
  const p = startBroker(process.execPath, ['--conditions=@broker-ts/source', '--require', require.resolve('tsx/cjs'), file, ...args]);
  running.push(p);
  return p;
}

/** One of Broker's tools. */
function theirs(file: string, args: string[], env: Record<string, string> = {}): BrokerProcess {
  const p = startBroker(file, args, env);
  running.push(p);
  return p;
}

/** Resolves once `p` exited, with its exit code. */
function exited(p: BrokerProcess): Promise<number | null> {
  const child = p.child;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/**
 * Publishes `line` once the subscriber reported the peering and waits until it printed it.
 * Both tools print their statuses on stderr (`*** ... peer_added ...`) once the handshake,
 * which carries the subscriber's filter, is done, and both publishers read stdin only
 * after their own `peer()` returned: the one line written then is forwarded.
 */
async function publishOnceSeen(publisher: BrokerProcess, subscriber: BrokerProcess, line: string): Promise<void> {
  await subscriber.waitForOutput(/peer_added/, 'stderr');
  publisher.child.stdin!.write(`${line}\n`);
  await subscriber.waitForOutput(new RegExp(`data\\(/interop, ${line}\\)`));
}

/** `--broker.ssl.*` arguments, in Broker's `--name=value` form. */
function sslArgs(ssl: Record<string, string>): string[] {
  return Object.entries(ssl).map(([k, v]) => `--broker.ssl.${k}=${v}`);
}

/** TLS settings by name: [our tool's arguments, Broker's tool's arguments]. */
const SETTINGS: Record<string, (c: TestCertificates) => [string[], string[]]> = {
  'plain TCP': () => [['--disable-ssl'], ['--disable-ssl']],
  'the default anonymous TLS': () => [[], []],
  'verified TLS, CA file': (c) => [
    sslArgs({ certificate: c.cert, key: c.key, cafile: c.ca }),
    sslArgs({ certificate: c.cert, key: c.encryptedKey, passphrase: c.passphrase, cafile: c.ca }),
  ],
  'verified TLS, CA directory and a passphrase': (c) => [
    sslArgs({ certificate: c.cert, key: c.encryptedKey, passphrase: c.passphrase, capath: c.caDir }),
    sslArgs({ certificate: c.cert, key: c.key, capath: c.caDir }),
  ],
};
const NAMES = Object.keys(SETTINGS);

const SMALL_ID = '00000000-0000-4000-8000-0000000000e1';
const LARGE_ID = 'ffffffff-ffff-4fff-bfff-ffffffffffe1';

let certs: TestCertificates;
beforeAll(() => {
  if (live.req.outcome === 'run') certs = makeTestCertificates();
});
afterAll(() => certs?.remove());

live.req.describe("broker-ts's tools and the newest Broker's tools", () => {
  jest.setTimeout(60_000);

  it.each(NAMES)('broker-pipe over %s: ours publishes to Broker, Broker publishes to ours', async (name) => {
    const [oursTls, theirsTls] = SETTINGS[name](certs);
    // Ours publishes to Broker's listening subscriber.
    const p1 = await freePort();
    const brokerSub = theirs(broker.pipe, ['--mode=subscribe', '--topic=/interop', `--local-port=${p1}`, ...theirsTls]);
    (await connectWhenListening(p1)).destroy();
    const ourPub = ours('broker-pipe', ['-m', 'publish', '-t', '/interop', '-p', `127.0.0.1:${p1}`, ...oursTls]);
    await publishOnceSeen(ourPub, brokerSub, 'from broker-ts');
    // Broker publishes to our listening subscriber.
    const p2 = await freePort();
    const ourSub = ours('broker-pipe', ['-m', 'subscribe', '-t', '/interop', '-l', String(p2), ...oursTls]);
    await ourSub.waitForOutput(/^\*\*\* listening on /m, 'stderr');
    const brokerPub = theirs(broker.pipe, ['--mode=publish', '--topic=/interop', `--peers=["127.0.0.1:${p2}"]`, ...theirsTls]);
    await publishOnceSeen(brokerPub, ourSub, 'from Broker');
    expect(ourSub.stderr()).toMatch(/^\*\*\* peer_added\(/m);
  });

  it.each(NAMES.map((name, i) => [name, i % 2 === 0] as const))('broker-node over %s: ping and pong both ways (broker-ts the originator: %s)', async (name, oursSmaller) => {
    const [oursTls, theirsTls] = SETTINGS[name](certs);
    const [ourId, brokerId] = oursSmaller ? [SMALL_ID, LARGE_ID] : [LARGE_ID, SMALL_ID];
    // Our ping dials Broker's pong.
    const p1 = await freePort();
    theirs(broker.node, ['-m', 'pong', '--topics=["/interop"]', `--endpoint-id=${brokerId}`, ...theirsTls], { BROKER_PORT: `${p1}/tcp` });
    (await connectWhenListening(p1)).destroy();
    const ourPing = ours('broker-node', ['-m', 'ping', '-t', '/interop', '-n', '3', '--peers', `tcp://127.0.0.1:${p1}`, '--endpoint-id', ourId, ...oursTls]);
    expect(await exited(ourPing)).toBe(0);
    expect(ourPing.stdout().trim().split('\n')).toHaveLength(3);
    expect(ourPing.stdout()).toMatch(/^(\d+\n){3}$/);
    // Broker's ping dials our pong.
    const p2 = await freePort();
    const ourPong = ours('broker-node', ['-m', 'pong', '-t', '/interop', '-p', String(p2), '--endpoint-id', ourId, ...oursTls]);
    await ourPong.waitForOutput(/^\*\*\* listening on /m, 'stderr');
    const brokerPing = theirs(broker.node, ['-m', 'ping', '--topics=["/interop"]', '-n', '3', `--peers=["tcp://127.0.0.1:${p2}"]`, `--endpoint-id=${brokerId}`, ...theirsTls]);
    expect(await exited(brokerPing)).toBe(0);
    expect(brokerPing.stdout()).toMatch(/^(\d+\n){3}$/);
  });

  it("broker-throughput over verified TLS: Broker's client to our server, our client to Broker's server", async () => {
    const [oursTls, theirsTls] = SETTINGS['verified TLS, CA file'](certs);
    const server = ours('broker-throughput', [...oursTls, '--server', '127.0.0.1:0', '-m', '500']);
    const [, port] = /listening on 127\.0\.0\.1:(\d+)/.exec(await server.waitForOutput(/^listening on 127\.0\.0\.1:\d+$/m))!;
    theirs(broker.throughput, [...theirsTls, '-t', '1', '-r', '100', '-s', '10', `127.0.0.1:${port}`]);
    expect(await exited(server)).toBe(0);
    // Messages still in flight when it reached -m are counted too; each of Broker's
    // batches is one message, as Broker's own server counts it.
    expect(Number(/^received (\d+) events/m.exec(server.stdout())?.[1])).toBeGreaterThanOrEqual(500);
    const p2 = await freePort();
    const brokerServer = theirs(broker.throughput, [...theirsTls, '--verbose', '--server', `127.0.0.1:${p2}`]);
    (await connectWhenListening(p2)).destroy();
    ours('broker-throughput', [...oursTls, '-t', '1', '-r', '100', '-s', '10', `127.0.0.1:${p2}`]);
    await brokerServer.waitForOutput(/^rate: [1-9]\d*/m);
  });
});
