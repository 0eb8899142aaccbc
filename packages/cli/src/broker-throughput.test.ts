/**
 * `broker-throughput` as its users run it: real server and client processes over
 * loopback TCP, exiting on their own.
 */
import { createServer } from 'node:net';

import { killTools, startTool, type Tool } from './__fixtures__/tool-process';
import { brokerThroughputMain } from './broker-throughput';

function start(args: string[]): Tool {
  return startTool('broker-throughput', args);
}

afterEach(killTools);

async function serverAndClient(serverArgs: string[], clientArgs: string[]): Promise<{ server: Tool; client: Tool }> {
  const server = start(['--server', '127.0.0.1:0', ...serverArgs]);
  const [, port] = await server.line(/^listening on 127\.0\.0\.1:(\d+)$/);
  const client = start([`127.0.0.1:${port}`, ...clientArgs]);
  return { server, client };
}

describe('broker-throughput', () => {
  it('a client sending 5000 conn.log events flat out reaches a server with -m 5000: both exit 0 and the counts match', async () => {
    const { server, client } = await serverAndClient(['-m', '5000'], ['-t', '2', '-r', '0', '-n', '5000']);
    expect(await server.exit).toBe(0);
    expect(await client.exit).toBe(0);
    expect(server.stdout).toContain('received 5000 events (last: event_2 with 18 args)');
    expect(client.stdout).toContain('*** the server sent quit_benchmark');
    expect(client.stdout.some((l) => /^sent 5000 events in [\d.]+ s \(\d+ ev\/s\); the server reported \d+ received$/.test(l))).toBe(true);
  }, 60_000);

  it('type-3 tables in batches at a rate: the client prints Broker 1.4 stats lines and the server its rate', async () => {
    const { server, client } = await serverAndClient(['-m', '600'], ['-t', '3', '-r', '100', '-s', '3', '-n', '600']);
    expect(await server.exit).toBe(0);
    expect(await client.exit).toBe(0);
    expect(server.stdout).toContain('received 600 events (last: event_3 with 2 args)');
    // 600 events at 300 ev/s take about two seconds: at least one stats_update arrives.
    expect(server.stdout.some((l) => /^rate: \d+ events\/s total=\d+$/.test(l))).toBe(true);
    const stats = client.stdout.filter((l) => l.includes('[batch_size=3]'));
    expect(stats.length).toBeGreaterThan(0);
    expect(stats[0]).toMatch(/^\d+\.\d{6} \[batch_size=3\] in_flight=-?\d+ d_t=[\d.]+ d_recv=\d+ d_sent=\d+ total_recv=\d+ total_sent=\d+ \[sending at \d+ ev\/s, receiving at \d+ ev\/s\]$/);
  }, 60_000);

  it('--duration ends a client on its own; SIGTERM ends a server cleanly with its total', async () => {
    const { server, client } = await serverAndClient([], ['-t', '1', '-r', '50', '-s', '2', '--duration', '1.5']);
    expect(await client.exit).toBe(0);
    const sent = Number(client.stdout.find((l) => l.startsWith('sent '))!.split(' ')[1]);
    expect(sent).toBeGreaterThan(0);
    // The client's last events may still be on their way when it exits: the server's
    // per-second line shows when it has them all (it never does if one was lost).
    await server.line(new RegExp(`^rate: \\d+ events/s total=${sent}$`));
    server.proc.kill('SIGTERM');
    expect(await server.exit).toBe(0);
    const [, received] = (await server.line(/^received (\d+) events \(last: event_1 with 2 args\)$/)).map(Number);
    expect(received).toBe(sent);
  }, 60_000);

  it('clients sending flat out for a --duration stop with a full publisher: the server counts exactly what they report as sent', async () => {
    // A client sending as fast as credit allows ends with its publisher holding up to
    // 1024 events that the endpoint has not passed on yet; each must still reach the
    // server. Three runs, since the publisher is full at the stop in some of them only.
    const server = start(['--server', '127.0.0.1:0']);
    const [, port] = await server.line(/^listening on 127\.0\.0\.1:(\d+)$/);
    let sent = 0;
    for (let run = 0; run < 3; run++) {
      const client = start([`127.0.0.1:${port}`, '-t', '2', '-r', '0', '--duration', '1']);
      expect(await client.exit).toBe(0);
      sent += Number(client.stdout.find((l) => l.startsWith('sent '))!.split(' ')[1]);
    }
    expect(sent).toBeGreaterThan(0);
    await server.line(new RegExp(`^rate: \\d+ events/s total=${sent}$`));
    server.proc.kill('SIGTERM');
    expect(await server.exit).toBe(0);
    const [, received] = (await server.line(/^received (\d+) events \(last: event_2 with 18 args\)$/)).map(Number);
    expect(received).toBe(sent);
  }, 90_000);

  it('a server with --metrics-port serves its figures while a client sends: the processed count grows', async () => {
    const server = start(['--server', '127.0.0.1:0', '--metrics-port', '0']);
    const [, port] = await server.line(/^listening on 127\.0\.0\.1:(\d+)$/);
    const [, metricsPort] = await server.errLine(/^\*\*\* metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/);
    const processed = async (): Promise<number> => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return Number(/^broker_processed_messages_total\{type="data"\} (\d+)$/m.exec(text)![1]);
    };
    const before = await processed();
    const client = start([`127.0.0.1:${port}`, '-r', '0', '-n', '3000']);
    await server.line(/^rate: \d+ events\/s total=[1-9]\d*$/);
    let during = await processed();
    while (during === before) during = await processed();
    expect(during).toBeGreaterThan(before);
    client.proc.kill('SIGTERM');
    expect(await client.exit).toBe(0);
    server.proc.kill('SIGTERM');
    expect(await server.exit).toBe(0);
  }, 60_000);

  it('a client whose server dies exits with status 1 and says so instead of sending into nothing', async () => {
    const { server, client } = await serverAndClient([], ['-t', '2', '-r', '0']);
    await client.line(/\[batch_size=1\]/);
    server.proc.kill('SIGKILL');
    expect(await client.exit).toBe(1);
    expect(client.stderr.some((l) => l.startsWith('broker-throughput: lost the server: peer_lost('))).toBe(true);
  }, 60_000);

  it('a bad option exits with status 2 and says what is wrong', async () => {
    const tool = start(['-t', '4', 'localhost']);
    expect(await tool.exit).toBe(2);
    expect(tool.stderr[0]).toBe('broker-throughput: --event-type must be 1, 2 or 3, got "4"');
    expect(tool.stderr.some((l) => l.startsWith('usage: broker-throughput'))).toBe(true);
  }, 30_000);

  it('a client with nobody listening exits with status 1 and names the address', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const tool = start([`127.0.0.1:${port}`, '-r', '0']);
    expect(await tool.exit).toBe(1);
    expect(tool.stderr).toContain(`broker-throughput: cannot peer with 127.0.0.1:${port}`);
  }, 30_000);

  it('a TLS file it cannot read: exit 1 with the reason, no stack', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const status = await brokerThroughputMain(['--broker.ssl.certificate=/nonexistent/node.pem', '--server', '127.0.0.1:0'], { out: (l) => out.push(l), err: (l) => err.push(l) });
    expect(status).toBe(1);
    expect(out).toEqual([]);
    expect(err).toEqual([expect.stringMatching(/^broker-throughput: cannot read the certificate \/nonexistent\/node\.pem/)]);
  });
});
