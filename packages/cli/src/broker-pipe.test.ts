/**
 * `broker-pipe` as its users run it: a child process peering with an endpoint of the
 * test, in both directions, in Broker's text format and in JSON v1, and bad command
 * lines.
 */
import { BrokerError, connectWebSocket, count, type DataMessage, Endpoint, port } from '@broker-ts/broker';

import { killTools, startTool, type Tool } from './__fixtures__/tool-process';
import { brokerPipeMain } from './broker-pipe';
import type { ToolOutput } from './tool-output';

const pipe = (args: string[], stdin?: string): Tool => startTool('broker-pipe', args, stdin);

let ep: Endpoint;
let epPort: number;

beforeEach(async () => {
  ep = new Endpoint({ name: 'test' });
  epPort = await ep.listen();
});

afterEach(async () => {
  jest.restoreAllMocks();
  await killTools();
  await ep.shutdown();
});

/** Waits until the endpoint's peers subscribe to `topic`. */
async function peerSubscribes(topic: string): Promise<void> {
  while (!(await ep.peerSubscriptions()).includes(topic)) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('broker-pipe', () => {
  it("subscribe: prints each message in Broker's text format and exits 0 after -c messages", async () => {
    const tool = pipe(['-m', 'subscribe', '-t', '/test/pipe', '-c', '3', '-p', `127.0.0.1:${epPort}`]);
    await peerSubscribes('/test/pipe');
    ep.publish('/test/pipe', 'hello');
    ep.publish('/test/pipe/sub', [count(42), port(80, 'tcp'), 1.5]);
    ep.publish('/test/pipe', new Map([['a', count(1)]]));
    expect(await tool.exit).toBe(0);
    expect(tool.stdout.filter((l) => l !== '')).toEqual(['data(/test/pipe, hello)', 'data(/test/pipe/sub, (42, 80/tcp, 1.500000))', 'data(/test/pipe, {a -> 1})']);
    expect(tool.stderr.some((l) => l.startsWith('*** peer_added('))).toBe(true);
  }, 60_000);

  it.each(['select', 'stream'])('subscribe --json -i %s: prints JSON v1 data messages', async (impl) => {
    const tool = pipe(['-m', 'subscribe', '-i', impl, '--json', '-t', '/test/json', '-c', '2', '-p', `127.0.0.1:${epPort}`]);
    await peerSubscribes('/test/json');
    ep.publish('/test/json', count(7));
    ep.publish('/test/json', ['x', true]);
    expect(await tool.exit).toBe(0);
    expect(tool.stdout.filter((l) => l !== '').map((l) => JSON.parse(l) as unknown)).toEqual([
      { type: 'data-message', topic: '/test/json', '@data-type': 'count', data: 7 },
      { type: 'data-message', topic: '/test/json', '@data-type': 'vector', data: [{ '@data-type': 'string', data: 'x' }, { '@data-type': 'boolean', data: true }] },
    ]);
  }, 60_000);

  it('publish: each stdin line becomes a string message, in order, and the tool exits 0 at the end of its input', async () => {
    const sub = ep.makeSubscriber('/test/in');
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i}`);
    const tool = pipe(['-m', 'publish', '-t', '/test/in', '-p', `127.0.0.1:${epPort}`], `${lines.join('\n')}\n`);
    const got: DataMessage[] = await sub.getMany(200, { timeout: 30_000 });
    expect(got.map(([, v]) => v)).toEqual(lines);
    expect(await tool.exit).toBe(0);
    expect(tool.stdout).toContain('*** published 200 messages');
  }, 60_000);

  it('publish --json -i select: JSON v1 values go to -t, data messages to their own topic; a bad line is reported and the exit status is 1', async () => {
    const sub = ep.makeSubscriber('/test/j');
    const input = [
      '{"@data-type":"count","data":42}',
      'not json',
      // A topic the endpoint takes no publications on: refused like a bad line.
      '{"type":"data-message","topic":"<$>/local/data/errors","@data-type":"string","data":"forged"}',
      '{"type":"data-message","topic":"/test/j/other","@data-type":"port","data":"53/udp"}',
      '',
    ].join('\n');
    const tool = pipe(['-m', 'publish', '-i', 'select', '--json', '-t', '/test/j', '-p', `127.0.0.1:${epPort}`], input);
    const got = await sub.getMany(2, { timeout: 30_000 });
    expect(got).toEqual([['/test/j', count(42)], ['/test/j/other', port(53, 'udp')]]);
    expect(await tool.exit).toBe(1);
    expect(tool.stderr.some((l) => l.startsWith('*** line 2: '))).toBe(true);
    expect(tool.stderr.some((l) => l.startsWith('*** line 3: cannot publish to "<$>/local/data/errors"'))).toBe(true);
    expect(tool.stdout).toContain('*** published 2 messages');
  }, 60_000);

  it("--web-socket-port (BROKER_WEB_SOCKET_PORT): a WebSocket client's publications reach the tool's subscription", async () => {
    // The WebSocket server follows the endpoint's TLS settings, as Broker's does: plain ws:// here.
    const tool = startTool('broker-pipe', ['-m', 'subscribe', '-t', '/test/ws', '-c', '2', '--disable-ssl'], undefined, { BROKER_WEB_SOCKET_PORT: '0/tcp' });
    const [, wsPort] = await tool.errLine(/^\*\*\* web socket on ws:\/\/127\.0\.0\.1:(\d+)\/v1\/messages\/json$/);
    const client = await connectWebSocket(`ws://127.0.0.1:${wsPort}/v1/messages/json`, { topics: [] });
    try {
      client.publish('/test/ws', count(5));
      client.publish('/test/ws/deeper', 'via ws');
      expect(await tool.exit).toBe(0);
    } finally {
      await client.close();
    }
    expect(tool.stdout.filter((l) => l !== '')).toEqual(['data(/test/ws, 5)', 'data(/test/ws/deeper, via ws)']);
  }, 60_000);

  it('bad command lines exit 2: no mode, an unknown flag, stream for publishing', async () => {
    const noMode = pipe(['-t', '/a']);
    const unknown = pipe(['-m', 'subscribe', '-t', '/a', '--bogus']);
    const stream = pipe(['-m', 'publish', '-i', 'stream', '-t', '/a'], '');
    expect(await noMode.exit).toBe(2);
    expect(noMode.stderr[0]).toBe("error: required option '-m, --mode <mode>' not specified");
    expect(await unknown.exit).toBe(2);
    expect(unknown.stderr[0]).toBe("error: unknown option '--bogus'");
    expect(await stream.exit).toBe(2);
    expect(stream.stderr[0]).toContain('stream is for subscribe only');
    const reserved = pipe(['-m', 'publish', '-t', '<$>/local/data/statuses'], 'x\n');
    expect(await reserved.exit).toBe(2);
    expect(reserved.stderr[0]).toMatch(/^error: -t <\$>\/local\/data\/statuses: cannot publish to .* reserved for the endpoint's own events$/);
    expect(reserved.stdout).toEqual([]);
  }, 60_000);

  it('a bad -p value (port 0, a port over 65535, no port, IPv6 without brackets) exits 2 with the reason, before the pipe starts', async () => {
    const cases: Array<[string, string]> = [
      ['127.0.0.1:0', 'the port must be 1..65535, not 0'],
      ['127.0.0.1:99999', 'the port must be 1..65535, not 99999'],
      ['localhost', 'no port'],
      ['::1:9999', 'an IPv6 address goes in brackets ([::1]:9999)'],
    ];
    // A good peer first: a pipe that started would peer with it and print peer_added.
    const tools = cases.map(([bad]) => pipe(['-m', 'subscribe', '-t', '/a', '-p', `127.0.0.1:${epPort}`, '-p', bad]));
    for (const [i, tool] of tools.entries()) {
      const [bad, why] = cases[i];
      expect(await tool.exit).toBe(2);
      expect(tool.stderr).toEqual([`error: option '-p, --peers <host:port>' argument '${bad}' is invalid. expected <host>:<port>, got "${bad}": ${why}`, '(run broker-pipe --help for the options)']);
      expect(tool.stdout).toEqual([]);
    }
  }, 60_000);

  it('a peering the endpoint refuses as invalid_data is a bad command line: exit 2 with the reason, no stack trace', async () => {
    // The parser lets no such value through, so the endpoint's refusal is simulated.
    jest.spyOn(Endpoint.prototype, 'peer').mockRejectedValue(new BrokerError('invalid_data', 'a port must be an integer in 1..65535, got 0'));
    const err: string[] = [];
    const io: ToolOutput = { out: () => undefined, err: (line) => err.push(line) };
    expect(await brokerPipeMain(['-m', 'subscribe', '-t', '/a', '--disable-ssl', '-p', '127.0.0.1:9'], io)).toBe(2);
    expect(err).toEqual(['error: cannot peer with 127.0.0.1:9: a port must be an integer in 1..65535, got 0', '(run broker-pipe --help for the options)']);
  }, 60_000);
});
