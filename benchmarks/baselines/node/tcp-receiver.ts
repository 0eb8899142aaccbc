/**
 * Raw Node limit, receiving side: accepts one TCP connection on loopback, splits the
 * stream into length-prefixed frames and decodes each frame with the benchmark codec.
 * Speaks the control protocol of `lib/bench-child.ts`; prints "ready <port>".
 */
import { createServer, Socket } from 'node:net';

import { announceReady, serveControl } from '../lib/control-server';
import { assertConnEvent, decodeEvent } from '../lib/event-codec';
import { FrameReader } from '../lib/length-prefixed-frames';

let received = 0;
let lastDecoded: unknown;
const sockets = new Set<Socket>();
const reader = new FrameReader((frame) => {
  lastDecoded = decodeEvent(frame);
  received++;
});

const server = createServer((socket) => {
  sockets.add(socket);
  socket.on('data', (chunk) => reader.push(chunk));
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', () => socket.destroy());
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  announceReady(address.port);
});

serveControl({
  count: () => received,
  onStop: () => {
    for (const s of sockets) s.destroy();
    server.close();
    if (received > 0) assertConnEvent(lastDecoded);
  },
});
