/**
 * `@broker-ts/actor/internal`: the runtime's parts that a layer built on it may use, and
 * applications should not need: envelopes and mailboxes, the node router and its links
 * (for transports), the envelope codec, and the flow primitives and wire messages. These
 * names can change with the runtime; the stable surface is the package's main entry.
 */
export { Envelope, EnvelopeKind } from './envelope';
export { Mailbox, PushResult } from './mailbox';
export type { NodeLink } from './node-link';
export { NodeRouter, type LinkUpOptions } from './node-router';
export { ACTOR_ERROR_TAG, ACTOR_REF_TAG, decodeEnvelopes, encodeEnvelopes, registerCodecExtension, type CodecExtension } from './envelope-codec';
export { ChunkQueue } from './net/chunk-queue';
export { MessagePortLink, type MessagePortLinkOptions, type PortLike } from './worker/message-port-link';
export { BoundedBuffer, type PushOutcome } from './flow/bounded-buffer';
export { CreditController } from './flow/credit-controller';
export { FLOW_MESSAGE_TYPES, isFlowMessage, type FlowAbort, type FlowAccept, type FlowBatch, type FlowCancel, type FlowComplete, type FlowDemand, type FlowMessage, type FlowOpen, type FlowToSink, type FlowToSource } from './flow/flow-protocol';
export { ProducerDemand } from './flow/producer-demand';
export { RateMeter } from './flow/rate-meter';
export { RingBuffer } from './flow/ring-buffer';
export { StreamSink, type SinkPort } from './flow/stream-sink';
export { StreamSource, type SourcePort } from './flow/stream-source';
