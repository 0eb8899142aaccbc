/**
 * Store backends: the synchronous storage under a data store master (Broker's
 * `abstract_backend` and its memory, SQLite and — in place of RocksDB — LMDB backends),
 * with Broker's per-type operation semantics. Applications reach none of it: tests and
 * benchmarks use `@broker-ts/broker/testing` (`src/testing.ts`).
 */
export type { Backend, BackendKind, EncodedEntry, Expirable, Replaced, SnapshotRows } from './backend';
export type { BackendOptions } from './backend-options';
export { applyAdd, applySubtract, incrementInitType, initialValue, retrieveIndex, type InitType } from './appliers';
export { makeBackend } from './make-backend';
export { backendIdentity, type BackendIdentity } from './backend-identity';
export { MemoryBackend } from './memory-backend';
export { SqliteBackend, SQLITE_BROKER_VERSION } from './sqlite-backend';
export { parseSqliteOptions, SQLITE_DEFAULT_BUSY_TIMEOUT_MS, type SqliteOptions, type SqliteSynchronous, type SqliteJournalMode, type SqliteFailureMode } from './sqlite-options';
export { LmdbBackend, LMDB_MAX_KEY_BYTES, parseLmdbOptions, type LmdbOptions } from './lmdb-backend';
export { RecordBackend, type RecordEntry, type StoredRecord } from './record-backend';
