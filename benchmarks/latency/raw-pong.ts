/**
 * Raw Node TCP latency baseline, echoing process: a plain `net` server; every
 * length-prefixed cbor-x frame `["ping", id, payload]` is decoded and answered with an
 * encoded `["pong", id]` (any other value is echoed re-encoded), one `socket.write` per
 * answer. Prints `ready <port>`; speaks the control protocol.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { once } from 'node:events';

import { announceReady, serveControl } from '../baselines/lib/control-server';
import { decodeEvent, encodeEvent } from '../baselines/lib/event-codec';
import { FrameReader } from '../baselines/lib/length-prefixed-frames';
import { frame } from './raw-frame';

async function main(): Promise<void> {
  let answered = 0;
  const sockets = new Set<Socket>();
  const server = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const reader = new FrameReader((bytes) => {
      const value = decodeEvent(bytes);
      const reply = Array.isArray(value) && value[0] === 'ping' ? ['pong', value[1]] : value;
      socket.write(frame(encodeEvent(reply)));
      answered++;
    });
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    socket.on('error', () => socket.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  serveControl({
    count: () => answered,
    onStop: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  });
  announceReady((server.address() as AddressInfo).port);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
