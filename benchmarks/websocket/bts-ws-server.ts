/**
 * A broker-ts endpoint serving the WebSocket JSON API on a free port (plain TCP); prints
 * the port on stdout and runs until killed. Started as its own process by websocket.ts.
 */
import { Endpoint } from '@broker-ts/broker';

async function main(): Promise<void> {
  const ep = new Endpoint({ name: 'ws-bench' });
  const port = await ep.listenWebSocket('127.0.0.1', 0, { disableSsl: true });
  process.stdout.write(`${port}\n`);
  process.on('SIGTERM', () => void ep.shutdown().then(() => process.exit(0)));
}
void main();
