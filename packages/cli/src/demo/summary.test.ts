import { clusterLayout } from './layout';
import type { NodeState, Tally } from './manager';
import type { StoreDigest } from './store-digest';
import { formatSummary, type ManagerRecord, summarize, type SummaryInput } from './summary';

const layout = clusterLayout({ workers: 3, proxies: 1 });
const digest: StoreDigest = { size: 3, digest: 'abc' };

/** A manager's record of a clean run of that layout; `received` events per worker run. */
function cleanRun(received = 10): { manager: ManagerRecord; input: SummaryInput } {
  const runs: Array<[string, number]> = [['worker-1', 1], ['worker-1', 2], ['worker-2', 1], ['worker-3', 1]];
  const tallies = new Map<string, Tally>(runs.map(([name, incarnation]) => [`${name}#${incarnation}`, { name, incarnation, received, nextSeq: received, gaps: 0, duplicates: 0, sent: received }]));
  const nodes = new Map<string, NodeState>();
  const digests = new Map<string, StoreDigest>();
  for (const n of layout.filter((l) => l.role !== 'manager')) {
    const incarnation = n.name === 'worker-1' ? 2 : 1;
    nodes.set(n.name, { name: n.name, incarnation, role: n.role as NodeState['role'], kind: n.kind, pid: 1, id: n.name, figures: {}, figuresAt: 0, rate: 0, up: true });
    for (const store of ['conn_counts', 'known_servers']) digests.set(`${n.name}#${incarnation}/${store}`, digest);
  }
  const manager: ManagerRecord = {
    tallies, nodes, digests, serverAnnouncements: new Map([['192.0.2.1', ['worker-2']], ['192.0.2.2', ['worker-1']], ['192.0.2.3', ['worker-3']]]),
    services: new Map(), received: received * runs.length, log: [],
  };
  const input: SummaryInput = {
    layout, masters: new Map([['conn_counts', digest], ['known_servers', digest]]), countedConnections: received * runs.length, peers: 3, elapsedMs: 4_000,
    restart: { worker: 'worker-1', killedPid: 1, newPid: 2, sentBeforeKill: received, peeringLost: true, peeringBack: true, healMs: 900 },
  };
  return { manager, input };
}

test('a clean run passes every check', () => {
  const { manager, input } = cleanRun();
  const s = summarize(manager, input);
  expect(s.problems).toEqual([]);
  expect(formatSummary(s)).toContain('OK: every event arrived exactly once');
});

test('a lost event, a duplicate, a differing clone, a double announcement and a missing peering each fail it', () => {
  const { manager, input } = cleanRun();
  const t = manager.tallies.get('worker-2#1')!;
  Object.assign(t, { received: 9, gaps: 1 });
  manager.tallies.get('worker-3#1')!.duplicates = 1;
  manager.digests.set('worker-1#2/known_servers', { size: 2, digest: 'abd' });
  manager.serverAnnouncements.set('192.0.2.1', ['worker-2', 'worker-3']);
  input.restart.peeringBack = false;
  input.peers = 2;
  const s = summarize(manager, input);
  expect(s.ok).toBe(false);
  expect(s.problems).toEqual([
    'worker-2 run 1: sent 10 events, the manager received 9',
    'worker-2 run 1: 1 sequence numbers missing',
    'worker-3 run 1: 1 events received twice or out of order',
    'worker-1: its known_servers clone (2 keys, abd) differs from the master (3 keys, abc)',
    'server 192.0.2.1 announced by worker-2, worker-3 (putUnique must pick one)',
    '3 known servers in the store, 4 announced',
    'the restarted worker-1 never peered with the manager',
    'the manager has 2 peers at the end, 3 expected',
  ]);
  expect(formatSummary(s)).toContain('FAILED: 8 problem(s):');
});

test('a worker run that never finished, or never arrived, fails it', () => {
  const { manager, input } = cleanRun();
  manager.tallies.delete('worker-1#2');
  delete manager.tallies.get('worker-2#1')!.sent;
  expect(summarize(manager, input).problems).toEqual(['worker-1#2: no events received', 'worker-2 run 1: never reported how many events it sent']);
});
