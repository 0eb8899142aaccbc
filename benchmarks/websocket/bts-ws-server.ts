/**
 * A broker-ts endpoint serving the WebSocket JSON API on a free port (plain TCP). Started
 * as its own process by websocket.ts; speaks the control protocol of
 * `baselines/lib/bench-child.ts` (`ready <port>`, then runs until `stop`).
 */
import { Endpoint } from '@broker-ts/broker';
import { announceReady, serveControl } from '../baselines/lib/control-server';

async function main(): Promise<void> {
  const ep = new Endpoint({ name: 'ws-bench' });
  const port = await ep.listenWebSocket('127.0.0.1', 0, { disableSsl: true });
  serveControl({ count: () => 0, onStop: () => ep.shutdown() });
  announceReady(port);
}
void main();
