/**
 * The WebSocket JSON API server of an endpoint: the `ws` glue around
 * {@link JsonClientSession}. It serves `/v1/messages/json` over plain TCP or TLS, turns
 * each client into a session, attaches it to the endpoint, and writes each client's
 * frames at the pace of its socket (a slow client fills its own bounded buffer only).
 */
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { BrokerError, type Data } from '@broker-ts/data';
import type { Logger } from 'pino';
import { type RawData, type WebSocket, WebSocketServer as WsServer } from 'ws';
import type { NetworkInfo } from '../endpoint-info';
import { Status } from '../status';
import { CloseCode, JsonClientSession, type SessionAction } from './json-client-session';
import { WEB_SOCKET_JSON_PATH } from './json-text';
import type { ResolvedWebSocketServerOptions } from './web-socket-server-options';
import { webSocketServerTls } from './web-socket-tls';

/** Frames handed to a client's socket and not yet written out; the rest wait in its session. */
const FRAMES_IN_FLIGHT = 64;

/** What the server needs of its endpoint (built by `Endpoint.listenWebSocket`). */
export interface WebSocketEndpointPort {
  /** The endpoint id, sent in each `ack`. */
  readonly id: string;
  /** Component logger. */
  readonly log: Logger;
  /**
   * Subscribes a client to `topics`: `sink` gets the messages of peers, of local
   * publishers and of other clients, never the client's own. It must not block.
   * @returns the subscription's id (for {@link publishFromClient}) and how to end it
   */
  attachClient(topics: string[], sink: (topic: string, value: Data) => void): { id: number; detach(): void };
  /**
   * Publishes a client's message: local subscribers, hubs, peers and other clients
   * receive it, as they receive a peer's message (Broker gives each client its own id).
   */
  publishFromClient(subscription: number, topic: string, value: Data): void;
  /** Reports a status event to the endpoint's status subscribers. */
  emitStatus(status: Status): void;
}

/** A connected client. */
interface Client {
  readonly ws: WebSocket;
  /** The connection under `ws` (a TCP or TLS socket), corked while a flush writes frames. */
  readonly socket: Duplex;
  readonly session: JsonClientSession;
  readonly network: NetworkInfo;
  /** The client's endpoint id, once it sent its subscription list. */
  id?: string;
  subscription?: { id: number; detach(): void };
  /** Frames given to `ws.send` whose callback has not run yet. */
  inFlight: number;
  flushQueued: boolean;
  handshakeTimer?: NodeJS.Timeout;
  /** Why the server dropped it (buffer overflow), for the status. */
  removedFor?: string;
}

/** Serves Broker's WebSocket JSON API for one endpoint. */
export class EndpointWebSocketServer {
  private readonly server: Server;
  private readonly wss: WsServer;
  private readonly clients = new Set<Client>();
  /** Sockets in the HTTP upgrade, not yet clients. */
  private readonly upgrading = new Set<Duplex>();
  private closing: Promise<void> | undefined;

  /**
   * @throws BrokerError `cannot_open_file` when TLS credentials cannot be read
   */
  constructor(
    private readonly port: WebSocketEndpointPort,
    readonly options: ResolvedWebSocketServerOptions,
  ) {
    const tls = webSocketServerTls(options.disableSsl, options.ssl, options.requireClientCertificate);
    this.server = tls === undefined ? createHttpServer() : createHttpsServer(tls);
    this.wss = new WsServer({ noServer: true, perMessageDeflate: false, maxPayload: options.maxFrameSize, clientTracking: false });
    this.server.on('request', (_req, res) => {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end(`this port speaks WebSocket only; try ${WEB_SOCKET_JSON_PATH}\n`);
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    this.server.on('tlsClientError', (err) => this.port.log.info({ event: 'wss-handshake-failed', detail: err.message }, 'TLS handshake on the WebSocket port failed'));
    this.server.on('clientError', (_err, socket: Duplex) => socket.destroy());
  }

  /** Clients connected now (with or without their subscription list). */
  get clientCount(): number {
    return this.clients.size;
  }

  /**
   * Starts listening.
   * @returns the bound port
   * @throws BrokerError `cannot_open_resource` when the address cannot be bound
   */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(new BrokerError('cannot_open_resource', `cannot listen for WebSocket clients on ${host}:${port}: ${e.message}`, {}, { cause: e }));
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const addr = this.server.address();
        const bound = typeof addr === 'object' && addr !== null ? addr.port : port;
        this.port.log.info({ event: 'ws-run', port: bound, tls: !this.options.disableSsl }, 'WebSocket server listening');
        resolve(bound);
      });
    });
  }

  /** Stops listening and drops every client (they are reported as lost). Idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      for (const socket of this.upgrading) socket.destroy();
      for (const c of this.clients) {
        c.ws.close(CloseCode.goingAway, 'endpoint shutting down');
        c.ws.terminate();
        this.dropClient(c);
      }
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refuse = (status: string, text: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
    };
    const path = (req.url ?? '').split('?')[0];
    if (this.closing !== undefined) return refuse('503 Service Unavailable', 'the endpoint is shutting down');
    if (path !== WEB_SOCKET_JSON_PATH) return refuse('404 Not Found', `invalid path; try ${WEB_SOCKET_JSON_PATH}`);
    if (this.clients.size + this.upgrading.size >= this.options.maxClients) {
      this.port.log.warn({ event: 'ws-refused', limit: this.options.maxClients }, 'refused a WebSocket client: too many clients');
      return refuse('503 Service Unavailable', `too many WebSocket clients (limit ${this.options.maxClients})`);
    }
    this.upgrading.add(socket);
    socket.once('close', () => this.upgrading.delete(socket));
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.upgrading.delete(socket);
      if (this.closing !== undefined) return ws.terminate();
      this.accept(ws, socket, { address: req.socket.remoteAddress ?? 'unknown', port: req.socket.remotePort ?? 0 });
    });
  }

  private accept(ws: WebSocket, socket: Duplex, network: NetworkInfo): void {
    const session = new JsonClientSession({ endpointId: this.port.id, version: this.options.version, bufferSize: this.options.bufferSize, overflowPolicy: this.options.overflowPolicy });
    const client: Client = { ws, socket, session, network, inFlight: 0, flushQueued: false };
    this.clients.add(client);
    this.port.log.info({ event: 'web-socket-connect', address: network.address, port: network.port }, 'new WebSocket client');
    if (this.options.handshakeTimeoutMs > 0) {
      client.handshakeTimer = setTimeout(() => {
        if (session.state === 'awaiting-filter' || session.state === 'rejected') this.act(client, [{ kind: 'close', code: CloseCode.policyViolation, reason: 'no subscription list received in time' }]);
      }, this.options.handshakeTimeoutMs);
      client.handshakeTimer.unref();
    }
    ws.on('message', (data: RawData, isBinary: boolean) => {
      this.act(client, isBinary ? session.receiveBinary() : session.receiveText(rawText(data)));
    });
    ws.on('error', (err) => this.port.log.debug({ event: 'ws-client-error', detail: err.message }, 'WebSocket client error'));
    ws.on('close', () => this.dropClient(client));
  }

  private act(client: Client, actions: SessionAction[]): void {
    for (const a of actions) {
      switch (a.kind) {
        case 'attach':
          this.attach(client, a.topics);
          break;
        case 'publish':
          if (client.subscription !== undefined) this.port.publishFromClient(client.subscription.id, a.topic, a.value);
          break;
        case 'close':
          client.ws.close(a.code, a.reason);
          break;
      }
    }
    this.flush(client);
  }

  private attach(client: Client, topics: string[]): void {
    if (client.handshakeTimer !== undefined) clearTimeout(client.handshakeTimer);
    const id = randomUUID();
    client.id = id;
    client.subscription = this.port.attachClient(topics, (topic, value) => this.deliver(client, topic, value));
    this.port.emitStatus(new Status('endpoint_discovered', { id }, 'found a new client in the network'));
    this.port.emitStatus(new Status('peer_added', { id, network: client.network }, 'handshake successful'));
  }

  /** Called by the core: queue only, never wait. */
  private deliver(client: Client, topic: string, value: Data): void {
    const outcome = client.session.deliver(topic, value);
    if (outcome === 'closed') {
      client.removedFor = 'caf::sec::backpressure_overflow';
      this.port.log.info({ event: 'client-disconnected', client: client.id, reason: 'buffer overflow' }, 'dropped a WebSocket client that does not keep up');
      client.ws.terminate();
      this.dropClient(client);
      return;
    }
    if (outcome === 'queued' && !client.flushQueued) {
      client.flushQueued = true;
      queueMicrotask(() => {
        client.flushQueued = false;
        this.flush(client);
      });
    }
  }

  /**
   * Hands frames to the socket while fewer than {@link FRAMES_IN_FLIGHT} are unwritten.
   * The socket is corked meanwhile: `ws` writes each frame on its own (a system call per
   * message), corked they leave in one write.
   */
  private flush(client: Client): void {
    const { ws, socket } = client;
    if (ws.readyState !== ws.OPEN) return;
    socket.cork();
    try {
      this.sendFrames(client);
    } finally {
      socket.uncork();
    }
  }

  private sendFrames(client: Client): void {
    const { ws, session } = client;
    while (client.inFlight < FRAMES_IN_FLIGHT && session.pending > 0) {
      const frames = session.takeFrames(FRAMES_IN_FLIGHT - client.inFlight);
      if (frames.length === 0) break;
      const n = frames.length;
      client.inFlight += n;
      // One write callback per batch: frames are written in order, so the last one's
      // callback means the whole batch left.
      for (let i = 0; i < n - 1; i++) ws.send(frames[i]);
      ws.send(frames[n - 1], () => {
        client.inFlight -= n;
        if (session.pending > 0 && !client.flushQueued) this.flush(client);
      });
    }
  }

  /** Forgets a client and reports it gone, as Broker's `client_removed` does. Idempotent. */
  private dropClient(client: Client): void {
    if (!this.clients.delete(client)) return;
    if (client.handshakeTimer !== undefined) clearTimeout(client.handshakeTimer);
    client.session.end();
    client.subscription?.detach();
    const id = client.id;
    if (id === undefined) return;
    if (client.removedFor !== undefined) this.port.emitStatus(new Status('peer_removed', { id, network: client.network }, `client removed: ${client.removedFor}`));
    else this.port.emitStatus(new Status('peer_lost', { id, network: client.network }, 'lost connection to client'));
    this.port.emitStatus(new Status('endpoint_unreachable', { id }, 'lost the last path'));
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}
