/**
 * The demo, end to end: a short run of the real cluster (child processes through tsx,
 * worker threads, SQLite master, a worker SIGKILLed and restarted) whose own summary is
 * asserted, and the command line as a child process.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { runCluster } from './demo/cluster';
import { CLIENT_COUNT, SERVER_COUNT } from './demo/conn-stream';
import type { ViewOutput } from './demo/view';

jest.setTimeout(300_000);

/** Runs `demo.ts` with these arguments as a child process, as `pnpm run demo` does. */
function runDemoCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, ['--conditions=@broker-ts/source', '--require', require.resolve('tsx/cjs'), path.join(__dirname, 'demo.ts'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  proc.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve) => proc.once('close', (code) => resolve({ code, stdout, stderr })));
}

test('a short run: a worker is killed and restarted, every event arrives once, every clone equals its master', async () => {
  let text = '';
  // The demo says where to watch it; the metrics it points at answer while it runs.
  let scrape: Promise<string> | undefined;
  const out: ViewOutput = {
    isTTY: false,
    write: (s: string) => {
      text += s;
      const at = /curl (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(s);
      if (at !== null) scrape = fetch(at[1]).then((r) => r.text());
    },
  };
  const summary = await runCluster({ workers: 3, proxies: 1, durationMs: 4_000, rate: 100 }, out);
  expect(text).toMatch(/WebSocket clients: ws:\/\/127\.0\.0\.1:\d+\/v1\/messages\/json/);
  expect(await scrape).toMatch(/^broker_connections\b/m);

  expect(summary.problems).toEqual([]);
  expect(summary.ok).toBe(true);
  // Every worker incarnation, the killed one and its successor included: exact counts.
  expect(summary.runs.map((r) => `${r.name}#${r.incarnation}`)).toEqual(['worker-1#1', 'worker-1#2', 'worker-2#1', 'worker-3#1']);
  for (const r of summary.runs) {
    expect(r.sent).toBeGreaterThan(0);
    expect(r).toMatchObject({ received: r.sent, gaps: 0, duplicates: 0 });
  }
  expect(summary.received).toBe(summary.runs.reduce((s, r) => s + r.sent, 0));
  expect(summary.countedConnections).toBe(summary.received);
  expect(summary.proxies).toEqual([{ name: 'proxy-1', summaries: expect.any(Number), conns: expect.any(Number) }]);
  // Stores: the master's fingerprint on every clone, the restarted worker's included.
  for (const store of summary.stores) {
    expect(store.master.size).toBeGreaterThan(0);
    expect(store.clones.map((c) => c.node)).toEqual(['proxy-1', 'worker-1', 'worker-2', 'worker-3']);
    for (const c of store.clones) expect(c.clone).toEqual(store.master);
    expect(store.clones.find((c) => c.node === 'worker-1')?.incarnation).toBe(2);
  }
  expect(summary.stores.find((s) => s.store === 'conn_counts')?.master.size).toBeLessThanOrEqual(CLIENT_COUNT);
  expect(summary.knownServers).toBeGreaterThan(0);
  expect(summary.knownServers).toBeLessThanOrEqual(SERVER_COUNT);
  expect(summary.announcements).toBe(summary.knownServers);
  // The kill and the heal.
  const r = summary.restart;
  expect(r.worker).toBe('worker-1');
  expect(r.sentBeforeKill).toBe(summary.runs[0].sent);
  expect(r.newPid).not.toBe(r.killedPid);
  expect(r).toMatchObject({ peeringLost: true, peeringBack: true });
  expect(summary.peers).toBe(3);
  expect(summary.expectedPeers).toBe(3);
  // The plain view: a few lines, not a flood; the summary's verdict last.
  expect(text).toContain('worker-1 (pid');
  expect(text.trimEnd().split('\n').length).toBeLessThan(60);
  expect(text.trimEnd().endsWith('OK: every event arrived exactly once, and every clone is identical to its master.')).toBe(true);
});

test('the command line: --topology, --help, and bad command lines (exit 2, error: and the pointer to --help, nothing started)', async () => {
  const [topology, help] = await Promise.all([runDemoCli(['--topology', '--workers', '5']), runDemoCli(['--help'])]);
  expect(topology).toMatchObject({ code: 0, stderr: '' });
  expect(topology.stdout).toContain('worker-5   (thread in worker-3\'s process) peers with worker-3 over its MessagePort');
  expect(topology.stdout).toContain('worker-1   (process) peers with manager, proxy-1 over TCP, with retry; killed and restarted mid-run');
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/--workers <n>[\s\S]*--duration <seconds>[\s\S]*--topology/);
  const bad: Array<[string[], string]> = [
    [['--workers', '2'], "error: option '-w, --workers <n>' argument '2' is invalid. expected an integer of at least 3"],
    [['--bogus'], "error: unknown option '--bogus'"],
    [['-w'], "error: option '-w, --workers <n>' argument missing"],
    [['-d', '0'], "error: option '-d, --duration <seconds>' argument '0' is invalid. expected a positive number"],
    [['extra'], 'error: too many arguments. Expected 0 arguments but got 1.'],
  ];
  const runs = await Promise.all(bad.map(([args]) => runDemoCli(args)));
  for (const [i, run] of runs.entries()) {
    // Exit 1 is "a check failed"; a bad command line is 2, as for the package's tools.
    expect(run).toEqual({ code: 2, stdout: '', stderr: `${bad[i][1]}\n(--help lists the flags)\n` });
  }
});
