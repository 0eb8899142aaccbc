/**
 * Flows: credit-based streams between actors. What `@broker-ts/actor` should export of
 * them (the package index re-exports this list).
 */
export { BoundedBuffer, type PushOutcome } from './bounded-buffer';
export { CreditController, type CreditControllerOptions } from './credit-controller';
export { FlowError, FlowErrorCodes, type FlowErrorCode, type FlowErrorData } from './flow-error';
export { FlowHost, withFlows, type FlowHostOptions, type IncomingStream, type OpenOptions, type SinkSpec, type Stream } from './flow-host';
export { FLOW_MESSAGE_TYPES, isFlowMessage, type FlowAbort, type FlowAccept, type FlowBatch, type FlowCancel, type FlowComplete, type FlowDemand, type FlowMessage, type FlowOpen, type FlowToSink, type FlowToSource } from './flow-protocol';
export { OVERFLOW_POLICIES, isOverflowPolicy, toOverflowPolicy, type OverflowPolicy } from './overflow-policy';
export { ProducerDemand } from './producer-demand';
export { RateMeter } from './rate-meter';
export { RingBuffer } from './ring-buffer';
export { StreamSink, type SinkHandlers, type SinkOptions, type SinkPort } from './stream-sink';
export { StreamSource, type SourceOptions, type SourcePort, type StreamState } from './stream-source';
