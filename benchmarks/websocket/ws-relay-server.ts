/**
 * The baseline: a raw `ws` relay that does the least a WebSocket pub/sub server can do.
 * It takes each client's first frame as its subscription list and answers with an ack,
 * then forwards every text frame of a client, unparsed, to the clients that subscribed
 * to anything. Speaks the control protocol of `baselines/lib/bench-child.ts`
 * (`ready <port>`, then runs until `stop`).
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { announceReady, serveControl } from '../baselines/lib/control-server';

const subscribers = new Set<WebSocket>();
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false }, () => {
  announceReady((wss.address() as { port: number }).port);
});
serveControl({ count: () => 0, onStop: () => new Promise<void>((resolve) => wss.close(() => resolve())) });
wss.on('connection', (ws) => {
  let first = true;
  ws.on('message', (data, isBinary) => {
    if (first) {
      first = false;
      if (data.toString() !== '[]') subscribers.add(ws);
      ws.send('{"type":"ack","endpoint":"relay","version":"0"}');
      return;
    }
    for (const s of subscribers) if (s !== ws) s.send(data, { binary: isBinary });
  });
  ws.on('close', () => subscribers.delete(ws));
});
