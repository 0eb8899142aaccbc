/**
 * The sending process of `memory.ts`: an endpoint (plain TCP) peered with the receiver
 * on loopback. `load`: publishes conn events at the highest rate its publisher's credit
 * allows, as the throughput benchmark's sender does; `idle`: the same endpoint, peered,
 * publishing nothing (the baseline). Prints `ready`; speaks the control protocol.
 * Usage: mem-sender.ts <port> load|idle
 */
import { Endpoint } from '@broker-ts/broker';

import { announceReady, serveControl } from '../baselines/lib/control-server';
import { runConnEventSender } from '../throughput/publish-conn-events';
import { quietLogger } from '../throughput/quiet-logger';

async function main(): Promise<void> {
  const [port, mode] = [Number(process.argv[2]), process.argv[3]];
  if (mode !== 'load' && mode !== 'idle') throw new Error(`mode must be load or idle, got ${mode}`);
  const ep = new Endpoint({ name: `mem-sender-${mode}`, logger: quietLogger(), disableSsl: true });
  if (!(await ep.peer('127.0.0.1', port))) throw new Error(`cannot peer with 127.0.0.1:${port}`);
  if (mode === 'load') return runConnEventSender(ep);
  serveControl({ count: () => 0, onStop: () => ep.shutdown() });
  announceReady();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
