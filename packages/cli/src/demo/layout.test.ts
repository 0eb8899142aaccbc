import { clusterLayout, KILLED_WORKER, proxyFor, topologyPicture } from './layout';

test('workers peer with the manager and every proxy, proxies with the manager, threads with their host', () => {
  const nodes = clusterLayout({ workers: 5, proxies: 2 });
  expect(nodes.map((n) => `${n.name} ${n.kind} -> ${n.peersWith.join(',')}`)).toEqual([
    'manager process -> ',
    'proxy-1 process -> manager',
    'proxy-2 process -> manager',
    'worker-1 process -> manager,proxy-1,proxy-2',
    'worker-2 process -> manager,proxy-1,proxy-2',
    'worker-3 process -> manager,proxy-1,proxy-2',
    'worker-4 thread -> worker-3',
    'worker-5 thread -> worker-3',
  ]);
  expect(nodes.find((n) => n.name === 'worker-3')?.threads).toEqual(['worker-4', 'worker-5']);
  // The killed worker is a plain process: killing it takes no thread down with it.
  expect(nodes.find((n) => n.name === KILLED_WORKER)).toMatchObject({ kind: 'process', threads: [] });
});

test('three workers: two processes, one thread', () => {
  expect(clusterLayout({ workers: 3, proxies: 1 }).filter((n) => n.role === 'worker').map((n) => [n.name, n.kind, n.host ?? ''])).toEqual([
    ['worker-1', 'process', ''],
    ['worker-2', 'process', ''],
    ['worker-3', 'thread', 'worker-2'],
  ]);
});

test('workers are spread over the proxies in turn', () => {
  expect(['worker-1', 'worker-2', 'worker-3', 'worker-4'].map((w) => proxyFor(w, ['proxy-1', 'proxy-2']))).toEqual(['proxy-1', 'proxy-2', 'proxy-1', 'proxy-2']);
});

test('the topology picture names every node once as a peer line and draws the tree', () => {
  const text = topologyPicture(clusterLayout({ workers: 4, proxies: 1 }));
  expect(text.split('\n').slice(-6)).toEqual([
    'manager',
    '├── proxy-1',
    '├── worker-1  ── also peers with proxy-1',
    '└── worker-2  ── also peers with proxy-1',
    '     ├┄┄ worker-3 (thread)',
    '     └┄┄ worker-4 (thread)',
  ]);
  expect(text).toContain('worker-2   (process) peers with manager, proxy-1 over TCP, with retry; relays for worker-3, worker-4');
});
