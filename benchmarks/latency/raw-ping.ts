/**
 * Raw Node TCP latency baseline, timing side: connects to `raw-pong.ts`, sends one
 * length-prefixed cbor-x frame `["ping", id, payload]` (or `[id, conn event]` as plain
 * object) and waits for its answer before the next, timing each round trip from
 * building the ping to decoding the answer. Prints `ready`, then the round-trip line
 * (`round-trips.ts`) after `warmup` + `count` round trips; speaks the control protocol.
 * Usage: raw-ping.ts <port> <count> <warmup> <shape>
 */
import { connect } from 'node:net';
import { once } from 'node:events';

import { makeConnEventPlain } from '@broker-ts/cli';

import { announceReady, serveControl } from '../baselines/lib/control-server';
import { decodeEvent, encodeEvent } from '../baselines/lib/event-codec';
import { FrameReader } from '../baselines/lib/length-prefixed-frames';
import { parsePingShape } from './ping-message';
import { frame } from './raw-frame';
import { RoundTripLog } from './round-trips';

async function main(): Promise<void> {
  const [port, total, warmup] = process.argv.slice(2, 5).map(Number);
  const shape = parsePingShape(process.argv[5]);
  const socket = connect({ host: '127.0.0.1', port, noDelay: true });
  await once(socket, 'connect');
  let wake: ((value: unknown) => void) | undefined;
  const reader = new FrameReader((bytes) => wake?.(decodeEvent(bytes)));
  socket.on('data', (chunk: Buffer) => reader.push(chunk));
  const log = new RoundTripLog(warmup);
  serveControl({ count: () => log.done, onStop: () => void socket.destroy() });
  announceReady();
  const payload = shape.kind === 'broker-node' ? 'x'.repeat(shape.payloadBytes) : '';
  for (let id = 0; id < warmup + total; id++) {
    const started = process.hrtime.bigint();
    const reply = new Promise<unknown>((resolve) => (wake = resolve));
    socket.write(frame(encodeEvent(shape.kind === 'broker-node' ? ['ping', id, payload] : [id, makeConnEventPlain(id)])));
    const value = await reply;
    const elapsed = process.hrtime.bigint() - started;
    const answered = Array.isArray(value) ? (shape.kind === 'broker-node' ? value[1] : value[0]) : undefined;
    if (answered !== id) throw new Error(`unexpected reply to ping ${id}`);
    log.add(id, elapsed);
  }
  log.print();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
