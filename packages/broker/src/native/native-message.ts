/**
 * The messages of Broker's native peering protocol (version 1), as defined in
 * libbroker/broker/internal/wire_format.hh and libbroker/broker/p2p_message_type.hh.
 */
import type { Data } from '@broker-ts/data';

/** Broker's magic number, the ASCII bytes "ZEEK". */
export const NATIVE_MAGIC = 0x5a45454b;

/** The protocol version this implementation speaks (Broker's `protocol_version`). */
export const NATIVE_PROTOCOL_VERSION = 1;

/** Newest Broker's default hop limit of messages (`broker::defaults::ttl`). */
export const NATIVE_DEFAULT_TTL = 16;

/** The reserved topic of PING, PONG and ROUTING_UPDATE messages (`topic::reserved`). */
export const NATIVE_RESERVED_TOPIC = '<$>';

/**
 * The filter entry by which a broker-ts endpoint says, in the native handshake, that it
 * can continue the connection with broker-ts's own peering (see
 * `NativeConnectionOptions.extensions`). It lies under Broker's reserved prefix `<$>`,
 * where nothing is published, so a real Broker that receives it only stores it.
 */
export const BROKER_TS_EXTENSIONS_TOPIC = '<$>/broker-ts/extensions/1';

/** Tags of Broker's `p2p_message_type` (the first byte of a handshake frame body). */
export const P2pMessageType = {
  data: 1,
  command: 2,
  routing_update: 3,
  ping: 4,
  pong: 5,
  hello: 6,
  probe: 7,
  version_select: 8,
  drop_conn: 9,
  originator_syn: 10,
  responder_syn_ack: 11,
  originator_ack: 12,
} as const;

/** The name of a `p2p_message_type`. */
export type P2pMessageTypeName = keyof typeof P2pMessageType;

/** Starts the handshake: sent by the connecting side, and by the larger id in reply. */
export interface HelloMessage {
  type: 'hello';
  /** Must be {@link NATIVE_MAGIC}. */
  magic: number;
  /** The sender's endpoint id (UUID text). */
  senderId: string;
  /** Lowest protocol version the sender speaks. */
  minVersion: number;
  /** Highest protocol version the sender speaks. */
  maxVersion: number;
}

/** Sent once by the accepting side before anything else; has no other effect. */
export interface ProbeMessage {
  type: 'probe';
  /** Must be {@link NATIVE_MAGIC}. */
  magic: number;
}

/** The originator's choice of the protocol version. */
export interface VersionSelectMessage {
  type: 'version_select';
  /** Must be {@link NATIVE_MAGIC}. */
  magic: number;
  /** The sender's endpoint id. */
  senderId: string;
  /** The chosen version. */
  selectedVersion: number;
}

/** Aborts a handshake with one of Broker's error codes. */
export interface DropConnMessage {
  type: 'drop_conn';
  /** Must be {@link NATIVE_MAGIC}. */
  magic: number;
  /** The sender's endpoint id. */
  senderId: string;
  /** Broker's numeric error code (`ec`). */
  code: number;
  /** Human-readable reason. */
  description: string;
}

/** The originator's subscriptions (its filter). */
export interface OriginatorSynMessage {
  type: 'originator_syn';
  /** Topic prefixes the originator subscribes to. */
  filter: string[];
}

/** The responder's subscriptions (its filter). */
export interface ResponderSynAckMessage {
  type: 'responder_syn_ack';
  /** Topic prefixes the responder subscribes to. */
  filter: string[];
}

/** Ends the handshake: after it both sides send operation messages only. */
export interface OriginatorAckMessage {
  type: 'originator_ack';
}

/** A message of the handshake (phases 1 and 2). */
export type HandshakeMessage =
  | HelloMessage
  | ProbeMessage
  | VersionSelectMessage
  | DropConnMessage
  | OriginatorSynMessage
  | ResponderSynAckMessage
  | OriginatorAckMessage;

/** The kinds of operation messages (phase 3). */
export type OperationType = 'data' | 'command' | 'routing_update' | 'ping' | 'pong';

/**
 * A message after the handshake (Broker's envelope): DATA (one value in Broker's binary
 * data format), COMMAND (an `internal_command`), ROUTING_UPDATE (a filter), PING, PONG
 * (opaque bytes echoed back).
 */
export interface OperationMessage {
  /** What the payload holds. */
  type: OperationType;
  /** The last hop's endpoint id. */
  sender: string;
  /** The destination endpoint id, or the nil id for every subscriber. */
  receiver: string;
  /** Remaining hops. */
  ttl: number;
  /** The topic (UTF-8, at most 65535 bytes). */
  topic: string;
  /** The type-specific payload, undecoded. */
  payload: Uint8Array;
  /**
   * A received DATA message's payload as a value: the decoder checks a DATA payload by
   * decoding it, and keeps the result so that it is not decoded twice. Absent on other
   * types and on messages to send (only `payload` is written).
   */
  value?: Data;
}
