/**
 * `broker-node` as its users run it: ping, pong and relay nodes in separate processes
 * over loopback TCP, store roles observed through the nodes' metrics ports, and bad
 * command lines.
 */
import { BrokerError, count, Endpoint } from '@broker-ts/broker';

import { killTools, listeningPort, startTool, type Tool } from './__fixtures__/tool-process';
import { brokerNodeMain } from './broker-node';
import type { ToolOutput } from './tool-output';

const node = (args: string[], env?: NodeJS.ProcessEnv): Tool => startTool('broker-node', args, undefined, env);

/** Publishes Broker's stop message on `topic` to the node at `port`, with broker-pipe. */
async function sendStop(port: number, topic: string): Promise<void> {
  const pipe = startTool('broker-pipe', ['-m', 'publish', '-t', topic, '-p', `127.0.0.1:${port}`], 'stop\n');
  expect(await pipe.exit).toBe(0);
  expect(pipe.stdout).toContain('*** published 1 messages');
}

/** Reads the status report of a tool's metrics server until `ready` accepts it. */
async function statusUntil(tool: Tool, ready: (report: Record<string, Record<string, { entries: number }>>) => boolean): Promise<void> {
  const [, port] = await tool.errLine(/^\*\*\* metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/);
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${port}/v1/status/json`);
    expect(res.status).toBe(200);
    const report = (await res.json()) as Record<string, Record<string, { entries: number }>>;
    if (ready(report)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

afterEach(async () => {
  jest.restoreAllMocks();
  await killTools();
});

describe('broker-node', () => {
  it('ping and pong in two processes: the ping node prints one round trip in ns per ping and exits 0; stop ends the pong node', async () => {
    // BROKER_PORT=0/tcp works like -p 0 (Zeek's port notation, as Broker's tools take it).
    const pong = node(['-m', 'pong', '-t', '/test/pp'], { BROKER_PORT: '0/tcp' });
    const port = await listeningPort(pong);
    const ping = node(['-m', 'ping', '-t', '/test/pp', '-n', '5', '-s', '100', '--peers', `tcp://127.0.0.1:${port}`]);
    expect(await ping.exit).toBe(0);
    expect(ping.stdout.filter((l) => l !== '')).toHaveLength(5);
    for (const l of ping.stdout.filter((x) => x !== '')) expect(l).toMatch(/^\d+$/);
    await sendStop(port, '/test/pp');
    expect(await pong.exit).toBe(0);
  }, 60_000);

  it('a relay in the middle forwards pings and pongs between nodes that are not peered, and reports them with -v', async () => {
    const pong = node(['-m', 'pong', '-t', '/test/relay', '-p', '0']);
    const pongPort = await listeningPort(pong);
    const relay = node(['-t', '/test/relay', '-p', '0', '-v', '-N', 'middle', '--peers', `tcp://127.0.0.1:${pongPort}`]);
    const relayPort = await listeningPort(relay);
    await relay.line(/\[middle\] relay messages$/);
    const ping = node(['-m', 'ping', '-t', '/test/relay', '-n', '3', '-v', `--peers=[tcp://127.0.0.1:${relayPort}]`]);
    expect(await ping.exit).toBe(0);
    expect(ping.stdout.filter((l) => /^\d+$/.test(l))).toHaveLength(3);
    expect(ping.stdout.some((l) => /: \[ping\] AVG: \d+ns$/.test(l))).toBe(true);
    await relay.line(/\[middle\] received ping 3$/);
    await relay.line(/\[middle\] received pong 3$/);
    // The stop reaches the relay, which forwards it to the pong node: both end.
    await sendStop(relayPort, '/test/relay');
    expect(await relay.exit).toBe(0);
    expect(await pong.exit).toBe(0);
  }, 60_000);

  it('store roles: a write through a clone reaches the master node and the clone node, as their status reports show', async () => {
    const master = node(['-t', '/test/store', '-p', '0', '--master-stores', 'inventory', '--metrics-port', '0']);
    const masterPort = await listeningPort(master);
    // BROKER_METRICS_PORT=0/tcp works like --metrics-port 0.
    const clone = node(['-t', '/test/store', '--peers', `tcp://127.0.0.1:${masterPort}`, '--clone-stores', 'inventory'], { BROKER_METRICS_PORT: '0/tcp' });
    await statusUntil(clone, (r) => r.clones?.inventory !== undefined);
    const ep = new Endpoint({ name: 'writer' });
    try {
      expect(await ep.peer('127.0.0.1', masterPort)).toBe(true);
      const store = await ep.attachClone('inventory');
      await store.put('widgets', count(3));
      await store.put('gadgets', count(4));
      await statusUntil(master, (r) => r.masters?.inventory?.entries === 2);
      await statusUntil(clone, (r) => r.clones?.inventory?.entries === 2);
      await store.close();
    } finally {
      await ep.shutdown();
    }
    master.proc.kill('SIGTERM');
    clone.proc.kill('SIGTERM');
    expect(await master.exit).toBe(0);
    expect(await clone.exit).toBe(0);
  }, 60_000);

  it('bad command lines: unknown flags and bad values exit 2 with the reason; no topics and TLS files exit 1 with a clear error', async () => {
    const unknown = node(['-t', '/a', '--bogus']);
    const badPort = node(['-t', '/a', '-p', '70000']);
    const badMode = node(['-t', '/a', '-m', 'pingpong']);
    const noTopics = node([]);
    const tls = node(['-t', '/a', '--broker.ssl.certificate', 'node.pem', '--broker.ssl.key', 'node.key']);
    const help = node(['--help']);
    const badId = node(['-t', '/a', '--endpoint-id', 'not-a-uuid']);
    const hugePayload = node(['-t', '/a', '-m', 'ping', '-s', '9999999999']);
    expect(await unknown.exit).toBe(2);
    expect(unknown.stderr[0]).toBe("error: unknown option '--bogus'");
    expect(await badPort.exit).toBe(2);
    expect(badPort.stderr[0]).toContain('expected a port number 0..65535 or <number>/tcp, got "70000"');
    expect(await hugePayload.exit).toBe(2);
    expect(hugePayload.stderr[0]).toContain('expected at most 16000000 bytes (a message must fit a 16 MiB frame), got "9999999999"');
    expect(await badMode.exit).toBe(2);
    expect(badMode.stderr[0]).toContain('Allowed choices are relay, ping, pong');
    expect(await noTopics.exit).toBe(1);
    expect(noTopics.stderr).toEqual(['no topics specified']);
    expect(await tls.exit).toBe(1);
    expect(tls.stderr[0]).toMatch(/^broker-node: cannot read the certificate node.pem/);
    expect(await badId.exit).toBe(1);
    expect(badId.stderr[0]).toMatch(/^broker-node: endpointId must be a UUID/);
    expect(await help.exit).toBe(0);
    expect(help.stdout[0]).toBe('Usage: broker-node [options]');
    expect(help.stdout.some((l) => l.includes('--endpoint-id <uuid>'))).toBe(true);
    expect(help.stdout.some((l) => l.includes('--rendezvous-retry <duration>'))).toBe(true);
  }, 60_000);

  it('a bad --peers value (no tcp:// scheme, port 0, a port over 65535, another scheme) exits 2 with the reason, before the node starts', async () => {
    const cases: Array<[string[], string]> = [
      [['--peers', '127.0.0.1:9999'], `argument '127.0.0.1:9999' is invalid. expected tcp://<host>:<port>, got "127.0.0.1:9999": no tcp:// scheme`],
      [['--peers', 'tcp://127.0.0.1:0'], `argument 'tcp://127.0.0.1:0' is invalid. expected tcp://<host>:<port>, got "tcp://127.0.0.1:0": the port must be 1..65535, not 0`],
      [['--peers', 'tcp://127.0.0.1:99999'], `argument 'tcp://127.0.0.1:99999' is invalid. expected tcp://<host>:<port>, got "tcp://127.0.0.1:99999": the port must be 1..65535, not 99999`],
      [['--peers=[tcp://127.0.0.1:9999,udp://127.0.0.1:9999]'], 'got "udp://127.0.0.1:9999": the scheme must be tcp, not udp'],
    ];
    // With -p 0 -v, a node that started would print that it listens and relays.
    const tools = cases.map(([args]) => node(['-t', '/a', '-p', '0', '-v', ...args]));
    for (const [i, tool] of tools.entries()) {
      expect(await tool.exit).toBe(2);
      expect(tool.stderr[0]).toMatch(/^error: option '--peers <uris>' argument /);
      expect(tool.stderr[0]).toContain(cases[i][1]);
      expect(tool.stderr.slice(1)).toEqual(['(run broker-node --help for the options)']);
      expect(tool.stdout).toEqual([]);
    }
  }, 60_000);

  it('a peering the endpoint refuses as invalid_data is a bad command line: exit 2 with the reason, no stack trace', async () => {
    // The parser lets no such value through, so the endpoint's refusal is simulated.
    const refusal = new BrokerError('invalid_data', 'a port must be an integer in 1..65535, got 0');
    jest.spyOn(Endpoint.prototype, 'peer').mockRejectedValue(refusal);
    jest.spyOn(Endpoint.prototype, 'peerNoWait').mockImplementation(() => {
      throw refusal;
    });
    for (const retry of [[], ['--retry', '1s']]) {
      const err: string[] = [];
      const io: ToolOutput = { out: () => undefined, err: (line) => err.push(line) };
      expect(await brokerNodeMain(['-t', '/a', '--disable-ssl', '--peers', 'tcp://127.0.0.1:9', ...retry], io)).toBe(2);
      expect(err).toEqual(['error: cannot peer with <tcp://127.0.0.1:9>: a port must be an integer in 1..65535, got 0', '(run broker-node --help for the options)']);
    }
  }, 60_000);
});
