/**
 * Zeek's messages carried as Broker data (Broker's `libbroker/broker/zeek.hh`):
 * `[count 1 (format), count type, content]`, where an event's content is
 * `[name, args, metadata?]` and metadata is a vector of `[count key, value]` pairs.
 */
import { BrokerError, Count, type Data, EnumValue, Timestamp } from '@broker-ts/data';

/** The Zeek message format version Broker writes. */
export const ZEEK_PROTOCOL_VERSION = 1;

/** Zeek message type codes. */
export const ZeekMessageType = {
  invalid: 0,
  event: 1,
  logCreate: 2,
  logWrite: 3,
  identifierUpdate: 4,
  batch: 5,
} as const;

/** Keys of Zeek event metadata; 1–199 are reserved for Zeek, users start at 200. */
export const ZeekMetadata = {
  networkTimestamp: 1,
  userMetadataStart: 200,
} as const;

/** A Zeek event: a name, arguments and optional metadata. */
export interface ZeekEvent {
  kind: 'event';
  name: string;
  args: Data[];
  /** `[key, value]` pairs; key 1 is the network timestamp. */
  metadata?: Array<[number, Data]>;
}

/** Zeek's `Log::create_stream` message. */
export interface ZeekLogCreate {
  kind: 'logCreate';
  streamId: EnumValue;
  writerId: EnumValue;
  writerInfo: Data;
  fieldsData: Data;
}

/** Zeek's log write message (one serialized log line). */
export interface ZeekLogWrite {
  kind: 'logWrite';
  streamId: EnumValue;
  writerId: EnumValue;
  path: string;
  serialData: string | Uint8Array;
}

/** Zeek's identifier update (a global's new value). */
export interface ZeekIdentifierUpdate {
  kind: 'identifierUpdate';
  idName: string;
  idValue: Data;
}

/** Several Zeek messages in one. */
export interface ZeekBatch {
  kind: 'batch';
  messages: ZeekMessage[];
}

/** Any Zeek message. */
export type ZeekMessage = ZeekEvent | ZeekLogCreate | ZeekLogWrite | ZeekIdentifierUpdate | ZeekBatch;

const one = new Count(1);

function wrap(type: number, content: Data[]): Data {
  return [one, new Count(type), content];
}

/**
 * Builds a Zeek event as Broker data.
 * @param name - the event name, e.g. `Broker::ping`
 * @param args - its arguments
 * @param metadata - optional `[key, value]` pairs; a `Timestamp` under key 1 is the network time
 */
export function zeekEvent(name: string, args: Data[], metadata?: Array<[number, Data]>): Data {
  const content: Data[] = [name, args];
  if (metadata !== undefined) content.push(metadata.map(([k, v]) => [new Count(k), v]));
  return wrap(ZeekMessageType.event, content);
}

/** Converts any Zeek message object to Broker data. */
export function zeekMessageToData(msg: ZeekMessage): Data {
  switch (msg.kind) {
    case 'event':
      return zeekEvent(msg.name, msg.args, msg.metadata);
    case 'logCreate':
      return wrap(ZeekMessageType.logCreate, [msg.streamId, msg.writerId, msg.writerInfo, msg.fieldsData]);
    case 'logWrite':
      return wrap(ZeekMessageType.logWrite, [msg.streamId, msg.writerId, msg.path, msg.serialData]);
    case 'identifierUpdate':
      return wrap(ZeekMessageType.identifierUpdate, [msg.idName, msg.idValue]);
    case 'batch':
      return wrap(ZeekMessageType.batch, msg.messages.map(zeekMessageToData));
  }
}

function invalid(what: string): BrokerError {
  return new BrokerError('invalid_data', `not a Zeek message: ${what}`);
}

/**
 * Reads a Zeek message from Broker data.
 * @throws BrokerError `invalid_data` when the value is not a valid Zeek message
 */
export function parseZeekMessage(value: Data): ZeekMessage {
  if (!Array.isArray(value) || value.length !== 3) throw invalid('expected [format, type, content]');
  const [format, type, content] = value;
  if (!(format instanceof Count) || !format.equals(one)) throw invalid('format version must be count 1');
  if (!(type instanceof Count)) throw invalid('type must be a count');
  if (!Array.isArray(content)) throw invalid('content must be a vector');
  switch (Number(type.value)) {
    case ZeekMessageType.event: {
      const [name, args, meta] = content;
      if ((content.length !== 2 && content.length !== 3) || typeof name !== 'string' || !Array.isArray(args)) throw invalid('event content must be [name, args, metadata?]');
      const event: ZeekEvent = { kind: 'event', name, args };
      if (content.length === 3) {
        if (!Array.isArray(meta)) throw invalid('event metadata must be a vector');
        event.metadata = meta.map((entry) => {
          if (!Array.isArray(entry) || entry.length !== 2 || !(entry[0] instanceof Count)) throw invalid('metadata entries must be [count, value]');
          return [Number(entry[0].value), entry[1]] as [number, Data];
        });
      }
      return event;
    }
    case ZeekMessageType.logCreate: {
      const [streamId, writerId, writerInfo, fieldsData] = content;
      if (content.length !== 4 || !(streamId instanceof EnumValue) || !(writerId instanceof EnumValue)) throw invalid('log-create content must be [stream, writer, info, fields]');
      return { kind: 'logCreate', streamId, writerId, writerInfo, fieldsData };
    }
    case ZeekMessageType.logWrite: {
      const [streamId, writerId, path, serialData] = content;
      if (content.length !== 4 || !(streamId instanceof EnumValue) || !(writerId instanceof EnumValue) || typeof path !== 'string' || (typeof serialData !== 'string' && !(serialData instanceof Uint8Array))) {
        throw invalid('log-write content must be [stream, writer, path, data]');
      }
      return { kind: 'logWrite', streamId, writerId, path, serialData };
    }
    case ZeekMessageType.identifierUpdate: {
      const [idName, idValue] = content;
      if (content.length !== 2 || typeof idName !== 'string') throw invalid('identifier-update content must be [name, value]');
      return { kind: 'identifierUpdate', idName, idValue };
    }
    case ZeekMessageType.batch:
      return { kind: 'batch', messages: content.map(parseZeekMessage) };
    default:
      throw invalid(`unknown type ${type.value}`);
  }
}

/** The network timestamp of an event's metadata, if it has one. */
export function networkTimestamp(event: ZeekEvent): Timestamp | undefined {
  const entry = event.metadata?.find(([k]) => k === ZeekMetadata.networkTimestamp);
  return entry !== undefined && entry[1] instanceof Timestamp ? entry[1] : undefined;
}
