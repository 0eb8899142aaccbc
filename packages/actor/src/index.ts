/**
 * @broker-ts/actor: a CAF-style actor runtime for Node (local, worker threads, TCP).
 *
 * This file is the public allow-list: what applications and actors use. The runtime's
 * parts that another layer builds on (envelopes, the node router and links, the codec,
 * flow primitives) are in `@broker-ts/actor/internal`; test fixtures are in
 * `@broker-ts/actor/testing`. Everything else is private to the package.
 */
// The system and its actors.
export { ActorSystem, type ActorSystemOptions, type NodeService, type NodeServiceOptions } from './actor-system';
export type { ActorSystemView, SystemState } from './actor-system-view';
export { Actor, type ActorClass, type BehaviorFactory, type MessageOf, type Spawnable } from './actor';
export type { ActorContext } from './actor-context';
export type { RequestOptions } from './request-options';
export { ActorRef } from './actor-ref';
export { ActorError, ActorErrorCodes, type ActorErrorCode, type ActorErrorData } from './actor-error';
export type { Behavior, Handler } from './behavior';
export { ExitReasons, type ExitReason } from './exit-reason';
export type { AnyMessage, Message } from './message';
export type { DownMessage, ExitMessage, SystemMessage, TimeoutMessage } from './system-message';
export type { ResponsePromise } from './response-promise';
export type { HandlerErrorPolicy, RemoteAccess, SpawnOptions } from './spawn-options';
export type { RemoteRefusal } from './remote-gate';
export { Supervisor, type ChildInfo, type ChildSpec, type RestartPolicy, type RestartStrategy, type SupervisorMessage, type SupervisorOptions } from './supervisor';
// Time and scheduling (both injectable through ActorSystemOptions).
export { KEEP_ALIVE, type Cancellable, type Clock, type TimerOptions } from './clock';
export { RealTimeClock, type RealTimeClockOptions } from './real-time-clock';
export { VirtualClock } from './virtual-clock';
export type { Schedulable, Scheduler } from './scheduler';
export { EventLoopScheduler, type EventLoopSchedulerOptions } from './event-loop-scheduler';
// Worker threads (src/worker).
export { spawnWorker, startWorker } from './worker/start-worker';
export { WorkerNode, type SpawnInWorkerOptions, type StartWorkerOptions } from './worker/worker-node';
export { openWorkerObject, wrapWorker, type OpenWorkerObjectOptions, type WorkerObject } from './worker/worker-object';
export { exposeInWorker } from './worker/expose-in-worker';
// Flows: credit-based streams between actors (src/flow).
export { FlowError, FlowErrorCodes, type FlowErrorCode, type FlowErrorData } from './flow/flow-error';
export { FlowHost, withFlows, type FlowHostOptions, type IncomingStream, type OpenOptions, type SinkSpec, type Stream } from './flow/flow-host';
export { OVERFLOW_POLICIES, isOverflowPolicy, toOverflowPolicy, type OverflowPolicy } from './flow/overflow-policy';
export type { CreditControllerOptions } from './flow/credit-controller';
export type { SinkHandlers, SinkOptions, StreamSink } from './flow/stream-sink';
export type { SourceOptions, StreamSource, StreamState } from './flow/stream-source';
// The TCP transport (src/net) and the in-process one.
export { TcpNetwork, listenTcp, connectTcp, type InboundRefusal, type TcpNetworkOptions } from './net/tcp-network';
export type { TcpTransportLimits, BoundAddress } from './net/tcp-transport';
export { NetError, NetErrorCodes, NET_ERROR_REASONS, type NetErrorReason } from './net/net-error';
export { DEFAULT_LIVENESS, type LivenessOptions } from './net/liveness';
export { PROTOCOL_VERSION, DEFAULT_MAX_FRAME_SIZE, HANDSHAKE_MAX_FRAME_SIZE, type VersionRange } from './net/protocol';
export { connectLoopback, type LoopbackConnection, type LoopbackOptions } from './loopback-link';
