/**
 * Helpers for the TCP tests: a log collector that can be awaited, a real-time clock
 * whose timers never keep the process alive, and an event waiter. No fixed sleeps:
 * everything here waits for something to happen.
 */
import pino, { type Logger } from 'pino';
import type { NetClock } from '../../src/net/tcp-connection';

/** One parsed pino line. */
export type LogLine = { level: number; event?: string; reason?: string; component?: string; [k: string]: unknown };

/** A pino logger whose lines are kept in memory and can be awaited. */
export class LogCollector {
  /** Every line logged so far. */
  readonly lines: LogLine[] = [];
  private readonly waiters: Array<{ match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }> = [];
  /** The logger writing into this collector. */
  readonly logger: Logger = pino(
    { level: 'debug' },
    {
      write: (text: string) => {
        const line = JSON.parse(text) as LogLine;
        this.lines.push(line);
        for (const w of [...this.waiters]) {
          if (w.match(line)) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(line);
          }
        }
      },
    },
  );

  /** Lines with this event name. */
  events(event: string): LogLine[] {
    return this.lines.filter((l) => l.event === event);
  }

  /** Resolves with the `count`-th line (past or future) matching `fields` (default: the first). */
  waitFor(fields: Partial<LogLine>, count = 1): Promise<LogLine> {
    const match = (l: LogLine) => Object.entries(fields).every(([k, v]) => l[k] === v);
    const seen = this.lines.filter(match);
    if (seen.length >= count) return Promise.resolve(seen[count - 1]);
    let missing = count - seen.length;
    return new Promise((resolve) =>
      this.waiters.push({
        match: (l) => match(l) && --missing === 0,
        resolve,
      }),
    );
  }
}

/** A real-time clock with unref'd timers, as the runtime uses in production. */
export const realClock: NetClock = {
  now: () => performance.now(),
  setTimer(delayMs, callback) {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
};

/** A promise with its resolve function exposed, for events seen in callbacks. */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

import { EventEmitter, once } from 'node:events';
import { NetError } from '../../src/net/net-error';
import { TcpTransport, type TcpTransportLimits } from '../../src/net/tcp-transport';

/** A transport with its events recorded and awaitable, for tests below the actor layer. */
export class TestNode extends EventEmitter {
  /** Logs of this node. */
  readonly log = new LogCollector();
  /** Bodies received, with their sender. */
  readonly received: Array<{ node: string; body: Buffer }> = [];
  /** Nodes that went down, with the reason. */
  readonly downs: Array<{ node: string; error: NetError }> = [];
  /** The transport under test. */
  readonly transport: TcpTransport;

  constructor(
    readonly id: string,
    limits: TcpTransportLimits = {},
  ) {
    super();
    this.transport = new TcpTransport(
      { localNode: id, clock: realClock, logger: this.log.logger, ...limits },
      {
        nodeUp: (node) => this.emit('up', node),
        nodeDown: (node, error) => {
          this.downs.push({ node, error });
          this.emit('down', node, error);
        },
        deliver: (node, body) => {
          this.received.push({ node, body: Buffer.from(body) });
          this.emit('deliver', node, body);
        },
      },
    );
  }

  /** Resolves once `count` bodies have been received in total. */
  async receivedCount(count: number): Promise<void> {
    while (this.received.length < count) await once(this, 'deliver');
  }

  /** Resolves with the reason once `node` went down (at once if it already did). */
  async down(node: string): Promise<NetError> {
    for (;;) {
      const seen = this.downs.find((d) => d.node === node);
      if (seen) return seen.error;
      await once(this, 'down');
    }
  }
}

import { connect, type Socket } from 'node:net';
import { DEFAULT_MAX_FRAME_SIZE, encodeMessage, encodePreamble, PROTOCOL_VERSION, type VersionRange, type WireMessage } from '../../src/net/protocol';

/** Bytes of one frame carrying `message`, as a well-behaved node would send it. */
export function frameOf(message: WireMessage): Buffer {
  const [kind, body] = encodeMessage(message);
  const header = Buffer.alloc(5);
  header.writeUInt32BE(body.length + 1);
  header[4] = kind;
  return Buffer.concat([header, body]);
}

/** A raw client socket, for peers that misbehave on purpose. */
export class RawPeer {
  /** Everything received. */
  data = Buffer.alloc(0);
  /** Resolves when the socket is closed (by either side). */
  readonly closed: Promise<void>;
  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.data = Buffer.concat([this.data, d]);
      socket.emit('raw-data');
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((r) => socket.once('close', () => r()));
  }

  /** Connects to `port` on localhost. */
  static async connect(port: number): Promise<RawPeer> {
    const socket = connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    return new RawPeer(socket);
  }

  /** Resolves once at least `bytes` bytes were received. */
  async received(bytes: number): Promise<void> {
    while (this.data.length < bytes) await once(this.socket, 'raw-data');
  }

  /**
   * Performs a correct handshake as node `node` (initiator), so the misbehaviour can come
   * after it. Resolves once READY is sent.
   * @param versions - the protocol versions to offer (default: this implementation's)
   */
  async handshake(node: string, versions: VersionRange = PROTOCOL_VERSION): Promise<void> {
    this.socket.write(Buffer.concat([encodePreamble(versions), frameOf({ kind: 'hello', node, maxFrameSize: DEFAULT_MAX_FRAME_SIZE })]));
    // Preamble (8) + WELCOME frame (4 + 1 + cbor body), read the length to know when it is whole.
    await this.received(12);
    await this.received(12 + this.data.readUInt32BE(8));
    this.socket.write(frameOf({ kind: 'ready' }));
  }

  /** Destroys the socket. */
  destroy(): void {
    this.socket.destroy();
  }
}

import type { ActorSystem } from '../../src/actor-system';
import type { ActorRef } from '../../src/actor-ref';
import type { ActorContext } from '../../src/actor-context';
import type { Behavior } from '../../src/behavior';
import type { DownMessage, ExitMessage } from '../../src/system-message';

/**
 * Spawns an actor (trapping exits) that monitors on `watch` and links on `bind`, and
 * records the DOWN and EXIT messages it receives; `next(n)` resolves once it has `n`.
 */
export function spawnWatcher(system: ActorSystem) {
  const events = new EventEmitter();
  const seen: Array<DownMessage | ExitMessage> = [];
  type WatchMsg = { type: 'watch'; ref: ActorRef } | { type: 'bind'; ref: ActorRef };
  const ref = system.spawn<WatchMsg>(
    (ctx: ActorContext<WatchMsg>): Behavior<WatchMsg> => ({
      watch: (m) => ctx.monitor(m.ref),
      bind: (m) => ctx.link(m.ref),
      down: (m) => void (seen.push(m), events.emit('event')),
      exit: (m) => void (seen.push(m), events.emit('event')),
    }),
    { trapExit: true },
  );
  const next = async (count: number) => {
    while (seen.length < count) await once(events, 'event');
    return seen;
  };
  return { ref, next, seen };
}
