/**
 * The server side of Broker's WebSocket JSON API for one client, without I/O: fed the
 * client's text frames and the endpoint's messages, it answers with actions and queues
 * the frames to send. It follows `libbroker/broker/internal/json_client.cc` (the
 * subscription list first, then `ack`, `data-message` both ways, `error` for bad input)
 * and the per-client buffer of `core_actor.cc` (`web-socket-buffer-size`, default 512,
 * overflow policy `disconnect`).
 */
import { BrokerError, type Data, decodeJsonDataMessage, encodeJsonDataMessage } from '@broker-ts/data';
import { isInternalTopic } from '../topic';
import { renderAck, renderError } from './json-text';

/** What a client's full buffer does: Broker's `disconnect`, or drop a message. */
export type WebSocketOverflowPolicy = 'disconnect' | 'dropOldest' | 'dropNewest';

/** WebSocket close codes this session uses (RFC 6455, section 7.4.1). */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  unsupportedData: 1003,
  policyViolation: 1008,
  tooBig: 1009,
  /** CAF closes with 1011 when the flow of a client fails. */
  unexpectedCondition: 1011,
} as const;

/** What the host of a session must do. */
export type SessionAction =
  /** The client sent its subscription list: attach it to the endpoint with these topics. */
  | { kind: 'attach'; topics: string[] }
  /** The client published a message: it enters the endpoint. */
  | { kind: 'publish'; topic: string; value: Data }
  /** End the connection with this close code and reason. */
  | { kind: 'close'; code: number; reason: string };

/** Settings of a session. */
export interface SessionSettings {
  /** The endpoint id sent in the `ack`. */
  endpointId: string;
  /** The version text sent in the `ack`. */
  version: string;
  /** Frames buffered for the client at most (Broker: 512). */
  bufferSize: number;
  /** What a full buffer does (Broker: `disconnect`). */
  overflowPolicy: WebSocketOverflowPolicy;
}

/**
 * Where the session is: waiting for the subscription list, serving, ignoring a client
 * whose first message was no subscription list, or ended.
 */
export type SessionState = 'awaiting-filter' | 'open' | 'rejected' | 'closed';

/** A frame waiting to be sent: control text, or a message encoded when it leaves. */
type Pending = string | [topic: string, value: Data];

/** One WebSocket client of the JSON API. */
export class JsonClientSession {
  /** Where the session is. */
  state: SessionState = 'awaiting-filter';
  /** Frames to send, oldest first; bounded by `bufferSize`. */
  private readonly queue: Pending[] = [];
  private head = 0;
  /** Client messages seen after the subscription list (Broker counts them from 1 in errors). */
  private inputs = 0;
  /** Messages dropped under a drop policy, or not encodable as JSON. */
  dropped = 0;

  constructor(readonly settings: SessionSettings) {
    if (!Number.isInteger(settings.bufferSize) || settings.bufferSize < 1) {
      throw new BrokerError('invalid_data', `web socket buffer size must be a positive integer, got ${String(settings.bufferSize)}`);
    }
  }

  /** Frames waiting to be sent. */
  get pending(): number {
    return this.queue.length - this.head;
  }

  /**
   * Handles a text frame from the client.
   * @returns what to do; error replies are queued as frames
   */
  receiveText(text: string): SessionAction[] {
    if (this.state === 'closed' || this.state === 'rejected') return [];
    if (this.state === 'awaiting-filter') return this.receiveFilter(text);
    this.inputs++;
    let msg: { topic: string; value: Data };
    try {
      msg = decodeJsonDataMessage(text);
    } catch (e) {
      return this.inputError(e instanceof BrokerError && e.code === 'invalid_json' ? `contained malformed JSON -> ${e.message}` : isObjectText(text) ? 'contained invalid data' : 'expected a JSON object');
    }
    if (isInternalTopic(msg.topic)) return this.inputError(`used the reserved topic prefix of ${msg.topic}`);
    return [{ kind: 'publish', topic: msg.topic, value: msg.value }];
  }

  /** Handles a binary frame: Broker's server accepts text frames only and ends the connection. */
  receiveBinary(): SessionAction[] {
    if (this.state === 'closed') return [];
    return this.close(CloseCode.unsupportedData, 'binary frames are not supported, send JSON text');
  }

  /**
   * Queues a message of the endpoint for the client, under the overflow policy.
   * @returns `closed` when the buffer overflowed under `disconnect` (the session is over
   *   and the host must drop the connection), else `queued` or `dropped`
   */
  deliver(topic: string, value: Data): 'queued' | 'dropped' | 'closed' {
    // Local statuses and store traffic never leave the endpoint, even for a client that
    // subscribed to a prefix of them (such as the empty topic).
    if (this.state !== 'open' || isInternalTopic(topic)) return 'dropped';
    if (this.pending >= this.settings.bufferSize) {
      switch (this.settings.overflowPolicy) {
        case 'disconnect':
          this.state = 'closed';
          return 'closed';
        case 'dropNewest':
          this.dropped++;
          return 'dropped';
        case 'dropOldest':
          this.dropped++;
          this.head++;
          break;
      }
    }
    this.queue.push([topic, value]);
    return 'queued';
  }

  /**
   * Takes up to `max` frames to send, oldest first. Messages are encoded here; one that
   * has no JSON form (a string held as non-UTF-8 bytes) is skipped and counted as dropped.
   */
  takeFrames(max: number): string[] {
    const out: string[] = [];
    while (out.length < max && this.head < this.queue.length) {
      const item = this.queue[this.head];
      this.queue[this.head++] = undefined as never;
      if (typeof item === 'string') {
        out.push(item);
        continue;
      }
      try {
        out.push(encodeJsonDataMessage(item[0], item[1]));
      } catch {
        this.dropped++;
      }
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return out;
  }

  /**
   * Ends the session from the host's side (the socket closed, or the server stops).
   * @returns true when the session was open until now
   */
  end(): boolean {
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    return wasOpen;
  }

  private receiveFilter(text: string): SessionAction[] {
    const topics = parseTopicList(text);
    if (topics === undefined) {
      // The newest Broker neither answers nor closes: the client's input is ignored from
      // here on (json_client.cc drops the pipeline). The host's handshake timeout ends it.
      this.state = 'rejected';
      return [];
    }
    this.state = 'open';
    this.queue.push(renderAck(this.settings.endpointId, this.settings.version));
    return [{ kind: 'attach', topics }];
  }

  /** Queues Broker's error reply to input number `this.inputs`; the connection stays open. */
  private inputError(what: string): SessionAction[] {
    // Control replies count against the buffer too, so that a client that sends garbage
    // and never reads cannot grow it without bound.
    if (this.pending >= this.settings.bufferSize) {
      this.state = 'closed';
      return [{ kind: 'close', code: CloseCode.policyViolation, reason: 'send buffer overflow' }];
    }
    this.queue.push(renderError('deserialization_failed', `input #${this.inputs} ${what}`));
    return [];
  }

  private close(code: number, reason: string): SessionAction[] {
    this.state = 'closed';
    return [{ kind: 'close', code, reason }];
  }
}

/** Reads a subscription list: a JSON array of strings; undefined for anything else. */
export function parseTopicList(text: string): string[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((t) => typeof t === 'string')) return undefined;
  return parsed as string[];
}

/** Whether valid JSON text is an object (its first non-blank character is `{`). */
function isObjectText(text: string): boolean {
  return /^[\s]*\{/.test(text);
}
