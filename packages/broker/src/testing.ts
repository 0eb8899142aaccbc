/**
 * `@broker-ts/broker/testing`: parts that tests and benchmarks drive directly and that an
 * application never needs, because the endpoint builds them: the store backends,
 * synchronous and without actors, and the topics of the master/clone channel (built by
 * `Endpoint.attachMaster`), the routing decisions and topic filters of the core (measured
 * by `benchmarks/scale.ts`). Not covered by the package's compatibility promise.
 * @packageDocumentation
 */
export {
  LmdbBackend, makeBackend, MemoryBackend, SqliteBackend, type Backend, type BackendKind, type BackendOptions, type Expirable,
} from './store/backend';
export { cloneTopic, masterTopic } from './topic';
export { Router } from './router';
export { TopicFilter } from './topic-filter';
