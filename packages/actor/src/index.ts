/**
 * @broker-ts/actor: a CAF-style actor runtime for Node (local, worker threads, TCP).
 * This file is the public allow-list; everything else is internal.
 */
export { ActorSystem, type ActorSystemOptions, type NodeService, type NodeServiceOptions, type SystemState } from './actor-system';
export { Actor, type ActorClass, type BehaviorFactory, type MessageOf, type Spawnable } from './actor';
export type { ActorContext, RequestOptions } from './actor-context';
export { ActorRef } from './actor-ref';
export { ActorError, ActorErrorCodes, type ActorErrorCode, type ActorErrorData } from './actor-error';
export type { Behavior, Handler } from './behavior';
export { KEEP_ALIVE, type Cancellable, type Clock, type TimerOptions } from './clock';
export { RealTimeClock, type RealTimeClockOptions } from './real-time-clock';
export { VirtualClock } from './virtual-clock';
export type { Schedulable, Scheduler } from './scheduler';
export { EventLoopScheduler, type EventLoopSchedulerOptions } from './event-loop-scheduler';
export { DeterministicScheduler } from './deterministic-scheduler';
export { DeterministicFixture, createTestSystem, type Hop, type HopPattern, type TestSystemOptions } from './deterministic-fixture';
export { ExitReasons, type ExitReason } from './exit-reason';
export type { AnyMessage, Message } from './message';
export type { DownMessage, ExitMessage, SystemMessage, TimeoutMessage } from './system-message';
export type { ResponsePromise } from './response-promise';
export type { HandlerErrorPolicy, RemoteAccess, SpawnOptions } from './spawn-options';
export type { RemoteRefusal } from './remote-gate';
export { Mailbox, PushResult } from './mailbox';
export { Envelope, EnvelopeKind } from './envelope';
export type { NodeLink } from './node-link';
export { Router, type LinkUpOptions } from './router';
export { ACTOR_ERROR_TAG, ACTOR_REF_TAG, decodeEnvelopes, encodeEnvelopes, registerCodecExtension, type CodecExtension } from './envelope-codec';
export { Supervisor, type ChildInfo, type ChildSpec, type RestartPolicy, type RestartStrategy, type SupervisorMessage, type SupervisorOptions } from './supervisor';
export { WorkerNode, type SpawnInWorkerOptions, type StartWorkerOptions } from './worker/worker-node';
export type { OpenWorkerObjectOptions, WorkerObject } from './worker/worker-object';
export { exposeInWorker } from './worker/expose-in-worker';
export { MessagePortLink, type MessagePortLinkOptions, type PortLike } from './worker/message-port-link';
// Flows: credit-based streams between actors (src/flow).
export * from './flow';
// The TCP transport (src/net).
export * from './net';
export { connectLoopback, type LoopbackConnection, type LoopbackOptions } from './loopback-link';
