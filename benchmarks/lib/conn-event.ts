/**
 * The conn.log-like event of Broker's throughput benchmark (Broker 1.4's `tests/benchmark/broker-benchmark.cc`, event type 2).
 * Its one copy lives in `@broker-ts/cli` (the `broker-throughput` tool sends it too); this
 * module keeps the names the benchmarks and baselines import.
 */
export { CONN_EVENT_NAME, type ConnEventPlain, makeConnEvent, makeConnEventArgs, makeConnEventPlain } from '@broker-ts/cli';
