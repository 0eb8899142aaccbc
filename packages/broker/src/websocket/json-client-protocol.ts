/**
 * The client side of Broker's WebSocket JSON API, without I/O: the subscription list to
 * send first, and what each text frame from the server means (`ack`, `data-message`,
 * `error`). See `doc/web-socket.rst` in zeek/broker.
 */
import { BrokerError, type Data, decodeJsonDataMessage, encodeJsonDataMessage, isErrorCodeName, type DataInput } from '@broker-ts/data';

/** What a frame from the server means. */
export type ServerEvent =
  /** The server took the subscription list. */
  | { kind: 'ack'; endpoint: string; version: string }
  /** A message on a subscribed topic. */
  | { kind: 'message'; topic: string; value: Data }
  /** The server reports a problem with an earlier input; the connection stays open. */
  | { kind: 'error'; error: BrokerError }
  /** The frame breaks the protocol (the client should drop the connection). */
  | { kind: 'violation'; error: BrokerError };

/** Where a client session is. */
export type ClientSessionState = 'awaiting-ack' | 'open';

const DATA_MESSAGE_PREFIX = '{"type":"data-message"';

/** One connection's worth of the client protocol. */
export class JsonClientProtocol {
  /** Where the session is. */
  state: ClientSessionState = 'awaiting-ack';

  /**
   * @param topics - the subscription list (may be empty: a publish-only client)
   * @throws BrokerError `invalid_topic_key` when a topic is not a string
   */
  constructor(readonly topics: readonly string[]) {
    for (const t of topics) if (typeof t !== 'string') throw new BrokerError('invalid_topic_key', `topics must be strings, got ${String(t)}`);
  }

  /** The first frame to send: the subscription list, a JSON array of topics. */
  hello(): string {
    return JSON.stringify(this.topics);
  }

  /**
   * The frame that publishes `value` on `topic`.
   * @throws BrokerError when the value is not Broker data or has no JSON form
   */
  publish(topic: string, value: DataInput): string {
    if (typeof topic !== 'string') throw new BrokerError('invalid_topic_key', `a topic must be a string, got ${String(topic)}`);
    return encodeJsonDataMessage(topic, value);
  }

  /** Reads a text frame from the server. Never throws. */
  receive(text: string): ServerEvent {
    if (this.state === 'open' && text.startsWith(DATA_MESSAGE_PREFIX)) return this.dataMessage(text);
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch {
      return violation(`the server sent malformed JSON: ${excerpt(text)}`);
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return violation(`the server sent a non-object: ${excerpt(text)}`);
    const o = obj as Record<string, unknown>;
    switch (o.type) {
      case 'ack':
        if (this.state !== 'awaiting-ack') return violation('the server sent a second ack');
        if (typeof o.endpoint !== 'string') return violation('the ack has no endpoint id');
        this.state = 'open';
        return { kind: 'ack', endpoint: o.endpoint, version: typeof o.version === 'string' ? o.version : '' };
      case 'error': {
        const code = typeof o.code === 'string' && isErrorCodeName(o.code) ? o.code : 'unspecified';
        const context = typeof o.context === 'string' ? o.context : '';
        return { kind: 'error', error: new BrokerError(code, context, { serverCode: typeof o.code === 'string' ? o.code : null }) };
      }
      case 'data-message':
        if (this.state !== 'open') return violation('the server sent a message before its ack');
        return this.dataMessage(text);
      default:
        return violation(`the server sent an unknown message type: ${excerpt(text)}`);
    }
  }

  private dataMessage(text: string): ServerEvent {
    try {
      const { topic, value } = decodeJsonDataMessage(text);
      return { kind: 'message', topic, value };
    } catch (e) {
      const err = e instanceof BrokerError ? e : new BrokerError('deserialization_failed', String(e));
      return { kind: 'error', error: new BrokerError('deserialization_failed', `the server sent a data message that does not decode: ${err.message}`, {}, { cause: err }) };
    }
  }
}

function violation(message: string): ServerEvent {
  return { kind: 'violation', error: new BrokerError('invalid_message', message) };
}

function excerpt(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
