/**
 * The protocol logic of Broker's data stores without I/O: the master and clone state
 * machines, the messages between them, store events, queries and write commands. The
 * actors hosting them feed messages and ticks and carry out what the callbacks ask.
 */
export { CloneState, type CloneCallbacks, type CloneNotice, type CloneStateOptions } from './clone-state';
export { entityFromKey, entityKey, isEntityId, sameEntity, type EntityId } from './entity-id';
export { ExpiryTimers } from './expiry-timers';
export { MasterState, type MasterCallbacks, type MasterStateOptions, type WriteOutcome } from './master-state';
export { ownData } from './own-data';
export { errorCodeOf, refusedByMaster, rejectedWrite, writeError } from './store-error';
export { storeEvents, type StoreEvent, type StoreEventSource, eventOf } from './store-event';
export {
  parseCloneMessage,
  parseMasterMessage,
  type AckCloneMessage,
  type CloneAckMessage,
  type CloneCommand,
  type CloneDetachMessage,
  type CloneMessage,
  type CloneNackMessage,
  type CloneWriteMessage,
  type CommandEventMessage,
  type MasterHeartbeatMessage,
  type MasterMessage,
  type ResumePoint,
  type RetransmitFailedStoreMessage,
  type SnapshotAckMessage,
  type SnapshotChunkMessage,
  type WireOutcome,
  type WriteAckMessage,
} from './store-message';
export { answerQuery, type QueryResult, type StoreQuery } from './store-query';
export {
  toExpiry,
  writeCommands,
  writeKey,
  type AddCommand,
  type ClearCommand,
  type EraseCommand,
  type ExpiryInput,
  type PutCommand,
  type PutUniqueCommand,
  type SubtractCommand,
  type WriteCommand,
  type WriteOptions,
} from './write-command';
