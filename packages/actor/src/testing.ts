/**
 * `@broker-ts/actor/testing`: fixtures for tests of actor code. The deterministic fixture
 * runs a system on a virtual clock and a step-by-step scheduler (see
 * docs/actor-runtime.md, "Testing: the deterministic fixture").
 */
export { DeterministicFixture, createTestSystem, type Hop, type HopPattern, type TestSystemOptions } from './deterministic-fixture';
export { DeterministicScheduler } from './deterministic-scheduler';
