/**
 * A client of Broker's WebSocket JSON API over any WebSocket implementation with the
 * browser's interface (the browser's own, or `ws` in Node). It reads like a
 * `Subscriber` (async iteration, `get`, `poll`) and publishes like a hub. This file and
 * what it imports run in browsers: no Node modules.
 */
import { BrokerError, type DataInput } from '@broker-ts/data';
import { describeArg } from '../argument-checks';
import { type Duration, toMilliseconds } from '../duration';
import { MessageQueue, type TimerSource } from '../message-queue';
import { type DataMessage, MessageReader } from '../message-reader';
import { JsonClientProtocol } from './json-client-protocol';

/** The part of the browser's `WebSocket` interface the client uses (`ws` has it too). */
export interface WebSocketLike {
  readonly readyState: number;
  send(text: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

/** Opens a WebSocket to a URL. */
export type WebSocketFactory = (url: string) => WebSocketLike;

/** Options of `connectWebSocket`. */
export interface WebSocketClientOptions {
  /**
   * The topics to receive (default none: a client that only publishes). Broker's API
   * takes them once, as the first message of a connection; they cannot change later
   * (connect again for other topics).
   */
  topics?: string | readonly string[];
  /**
   * Retry interval: with one, a failed first connection is retried until it succeeds,
   * and a lost connection is re-established (messages sent meanwhile by the server are
   * missed). Without one (or 0), a failed connection ends the client.
   */
  retry?: Duration;
  /**
   * Messages buffered for the application (default 512); beyond it new messages are
   * dropped and counted in `dropped`, since a WebSocket cannot slow its server down.
   * Also bounds the publications held while reconnecting (the oldest are dropped).
   */
  queueSize?: number;
  /** Called with each `error` message of the server (the connection stays open) and each lost connection. */
  onError?: (error: BrokerError) => void;
}

/** The server's `ack`: which endpoint this client talks to. */
export interface WebSocketServerInfo {
  /** The endpoint id. */
  endpoint: string;
  /** The Broker version text the server reports. */
  version: string;
}

const OPEN = 1;
const realTimers: TimerSource = {
  setTimer(delayMs, callback) {
    const t = setTimeout(callback, delayMs);
    return { cancel: () => clearTimeout(t) };
  },
};

/** A connection to a WebSocket JSON API; created by `connectWebSocket`. */
export class WebSocketClient extends MessageReader {
  /** The topics subscribed to. */
  readonly topics: readonly string[];
  /** Messages dropped because the application did not read them in time. */
  dropped = 0;
  /** Publications dropped while reconnecting, beyond `queueSize`. */
  droppedPublications = 0;
  protected readonly queue: MessageQueue<DataMessage>;
  private readonly retryMs: number;
  private readonly queueSize: number;
  private socket: WebSocketLike | undefined;
  private protocol: JsonClientProtocol;
  /** Publications made while not connected, sent after the next ack (bounded by queueSize). */
  private held: string[] = [];
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private info: WebSocketServerInfo | undefined;
  private firstAck: { resolve(info: WebSocketServerInfo): void; reject(e: BrokerError): void } | undefined;

  /** @internal use `connectWebSocket` */
  constructor(
    readonly url: string,
    private readonly open: WebSocketFactory,
    private readonly options: WebSocketClientOptions,
  ) {
    super();
    if (options === null || typeof options !== 'object') throw new BrokerError('invalid_data', `connectWebSocket options must be an object, got ${describeArg(options)}`);
    const topics = options.topics ?? [];
    this.topics = typeof topics === 'string' ? [topics] : Array.isArray(topics) ? [...(topics as string[])] : (undefined as never);
    if (this.topics === undefined) throw new BrokerError('invalid_topic_key', 'topics must be a string or an array of strings');
    this.protocol = new JsonClientProtocol(this.topics);
    this.retryMs = options.retry === undefined ? 0 : toMilliseconds(options.retry, 'retry');
    this.queueSize = options.queueSize ?? 512;
    this.queue = new MessageQueue<DataMessage>(this.queueSize, realTimers);
  }

  /** The server's `ack` of the current connection, once received. */
  get server(): WebSocketServerInfo | undefined {
    return this.info;
  }

  /** Whether a connection is open and acknowledged now. */
  get connected(): boolean {
    return this.socket !== undefined && this.protocol.state === 'open' && this.socket.readyState === OPEN;
  }

  /**
   * Connects for the first time.
   * @internal called by `connectWebSocket`
   */
  start(): Promise<WebSocketServerInfo> {
    return new Promise((resolve, reject) => {
      this.firstAck = { resolve, reject };
      this.connect();
    });
  }

  /**
   * Publishes a message through the server: its endpoint's subscribers, peers and other
   * clients receive it (this client does not). While reconnecting, it is held and sent
   * after the next ack.
   * @throws BrokerError `end_of_file` after `close()`; `invalid_topic_key`, `type_clash`
   *   or `serialization_failed` for a bad topic or value
   */
  publish(topic: string, value: DataInput): void {
    if (this.closed) throw new BrokerError('end_of_file', 'the WebSocket client is closed');
    const frame = this.protocol.publish(topic, value);
    if (this.connected) {
      this.socket!.send(frame);
      return;
    }
    if (this.held.length >= this.queueSize) {
      this.held.shift();
      this.droppedPublications++;
    }
    this.held.push(frame);
  }

  /** Closes the connection and stops retrying; pending and later reads fail with `end_of_file`. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.queue.close();
    const socket = this.socket;
    this.socket = undefined;
    if (socket !== undefined) {
      detach(socket);
      socket.close(1000, 'client closed');
    }
    this.firstAck?.reject(new BrokerError('end_of_file', 'the WebSocket client was closed before the server answered'));
    this.firstAck = undefined;
  }

  private connect(): void {
    this.retryTimer = undefined;
    if (this.closed) return;
    this.protocol = new JsonClientProtocol(this.topics);
    let socket: WebSocketLike;
    try {
      socket = this.open(this.url);
    } catch (e) {
      this.lost(new BrokerError('peer_unavailable', `cannot connect to ${this.url}: ${(e as Error).message}`, {}, { cause: e }));
      return;
    }
    this.socket = socket;
    let failure: BrokerError | undefined;
    socket.onopen = () => socket.send(this.protocol.hello());
    socket.onmessage = (ev) => {
      if (typeof ev.data !== 'string') {
        failure = new BrokerError('invalid_message', 'the server sent a binary frame');
        socket.close(1003, 'binary frames are not part of the JSON API');
        return;
      }
      this.receive(socket, ev.data);
    };
    socket.onerror = (ev) => {
      const message = (ev as { message?: unknown }).message ?? (ev as { error?: { message?: unknown } }).error?.message;
      failure ??= new BrokerError('peer_unavailable', `WebSocket connection to ${this.url} failed${typeof message === 'string' ? `: ${message}` : ''}`);
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      detach(socket);
      const reason = ev.reason !== '' ? `: ${ev.reason}` : '';
      this.lost(failure ?? new BrokerError('peer_disconnect_during_handshake', `the server closed the connection (code ${ev.code}${reason})`, { closeCode: ev.code }));
    };
  }

  private receive(socket: WebSocketLike, text: string): void {
    const ev = this.protocol.receive(text);
    switch (ev.kind) {
      case 'message':
        if (!this.queue.push([ev.topic, ev.value])) this.dropped++;
        return;
      case 'ack': {
        this.info = { endpoint: ev.endpoint, version: ev.version };
        const held = this.held;
        this.held = [];
        for (const frame of held) socket.send(frame);
        this.firstAck?.resolve(this.info);
        this.firstAck = undefined;
        return;
      }
      case 'error':
        this.options.onError?.(ev.error);
        return;
      case 'violation':
        this.options.onError?.(ev.error);
        socket.close(1002, 'protocol violation');
        return;
    }
  }

  /** A connection ended (or never opened): retry, or end the client. */
  private lost(error: BrokerError): void {
    if (this.closed) return;
    this.info = undefined;
    if (this.retryMs > 0) {
      this.options.onError?.(error);
      this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
      return;
    }
    if (this.firstAck !== undefined) {
      this.firstAck.reject(error);
      this.firstAck = undefined;
    } else {
      this.options.onError?.(error);
    }
    this.closed = true;
    this.queue.close();
  }
}

function detach(socket: WebSocketLike): void {
  socket.onopen = null;
  socket.onmessage = null;
  socket.onerror = null;
  socket.onclose = null;
}

/**
 * Connects to a WebSocket JSON API with a given WebSocket implementation.
 * @returns the client, once the server acknowledged its subscription list
 * @throws BrokerError `peer_unavailable` when the first connection fails and no retry
 *   was asked for; `invalid_topic_key`/`invalid_data` for bad options
 */
export async function connectWebSocketWith(url: string, options: WebSocketClientOptions, open: WebSocketFactory): Promise<WebSocketClient> {
  const client = new WebSocketClient(url, open, options);
  await client.start();
  return client;
}
