/**
 * The baseline: a raw `ws` relay that does the least a WebSocket pub/sub server can do.
 * It takes each client's first frame as its subscription list and answers with an ack,
 * then forwards every text frame of a client, unparsed, to the clients that subscribed
 * to anything. Prints its port on stdout and runs until killed.
 */
import { WebSocketServer, type WebSocket } from 'ws';

const subscribers = new Set<WebSocket>();
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false }, () => {
  process.stdout.write(`${(wss.address() as { port: number }).port}\n`);
});
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
process.on('SIGTERM', () => wss.close(() => process.exit(0)));
