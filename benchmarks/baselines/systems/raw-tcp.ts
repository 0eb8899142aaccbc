/**
 * The raw Node limit over TCP: Node sender → Node receiver on loopback, per-message
 * cbor-x encode and decode, length-prefixed frames batched into large writes.
 */
import { join } from 'node:path';

import { BenchChild } from '../lib/bench-child';
import { ThroughputSystem } from '../lib/measure-throughput';
import { startPair } from '../lib/start-pair';

/** Options of {@link rawTcpThroughput}. */
export interface RawTcpOptions {
  /** Bytes per write (default 64 KiB). */
  batchBytes?: number;
  /** Echo the processes' stderr (default false). */
  verbose?: boolean;
}

/** Two Node processes, one TCP connection, no broker. */
export function rawTcpThroughput(options: RawTcpOptions = {}): ThroughputSystem {
  return {
    name: 'Node raw TCP, cbor-x per message',
    start: () =>
      startPair(
        () => BenchChild.spawnNode('tcp-receiver', join(__dirname, '..', 'node', 'tcp-receiver.ts'), [], options.verbose),
        (port) =>
          BenchChild.spawnNode('tcp-sender', join(__dirname, '..', 'node', 'tcp-sender.ts'), [String(port), String(options.batchBytes ?? 64 * 1024)], options.verbose),
      ),
  };
}
