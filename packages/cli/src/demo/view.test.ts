import type { NodeState } from './manager';
import { LiveView, type ViewFrame } from './view';

function frame(elapsedMs: number, received: number): ViewFrame {
  const worker: NodeState = {
    name: 'worker-1', incarnation: 2, role: 'worker', kind: 'process', pid: 42, id: 'x', rate: 250, up: true, figuresAt: performance.now(),
    figures: { sent: 1234, peers: 2, buffered: 3, capacity: 256, 'store:conn_counts': 24, 'store:known_servers': 40 },
  };
  return {
    elapsedMs, durationMs: 20_000, phase: 'running', manager: { received, peers: 3, stores: new Map([['conn_counts', 24], ['known_servers', 40]]) },
    nodes: [{ name: 'worker-1', state: worker }, { name: 'worker-2', state: undefined }],
  };
}

function capture(isTTY: boolean): { out: { isTTY: boolean; write(s: string): void }; text: () => string } {
  let text = '';
  return { out: { isTTY, write: (s: string) => (text += s) }, text: () => text };
}

test('on a terminal the view redraws its block in place, with a progress bar and a line per node', () => {
  const { out, text } = capture(true);
  const view = new LiveView(out);
  view.update(frame(5_000, 100));
  const first = text();
  expect(first.startsWith('\x1b[2K')).toBe(true); // nothing to move back over yet
  view.update(frame(10_000, 200));
  const second = text().slice(first.length);
  const lines = first.split('\n').length - 1;
  expect(second.startsWith(`\x1b[${lines}F`)).toBe(true);
  expect(second).toContain('[###############...............] 10.0 / 20 s  running');
  expect(second).toMatch(/worker-1\s+2\s+process\s+42\s+250\s+1,234\s+2\s+24\s+40\s+3\/256/);
  expect(second).toMatch(/worker-2\s+-.*starting/);
});

test('elsewhere it prints one plain line every few seconds and each note once', () => {
  const { out, text } = capture(false);
  const view = new LiveView(out);
  for (let i = 0; i < 50; i++) view.update(frame(i * 100, i * 10));
  view.note('worker-1 killed');
  const lines = text().trimEnd().split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/^\[\s+0 s\] running: manager got 0 events/);
  expect(lines[1]).toBe('worker-1 killed');
  expect(text()).not.toContain('\x1b[');
});
