/**
 * broker-ts latency, echoing process: listens on loopback (plain TCP) and answers every
 * ping (see `pong-endpoint.ts`). Prints `ready <port>`; speaks the control protocol.
 */
import { announceReady, serveControl } from '../baselines/lib/control-server';
import { startPongEndpoint } from './pong-endpoint';

async function main(): Promise<void> {
  const { ep, answered } = startPongEndpoint('bts-pong');
  const port = await ep.listen('127.0.0.1', 0);
  serveControl({ count: answered, onStop: () => ep.shutdown() });
  announceReady(port);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
