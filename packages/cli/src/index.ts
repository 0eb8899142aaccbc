/**
 * @broker-ts/cli: the command-line tools (`broker-node`, `broker-pipe`,
 * `broker-throughput`), the metrics and status server they run with `--metrics-port`,
 * and the benchmark events they send, shared with the benchmarks under `benchmarks/`.
 * @packageDocumentation
 */
export { brokerThroughputMain } from './broker-throughput';
export { BENCHMARK_EVENT_TYPES, type BenchmarkEventType, makeBenchmarkEvent } from './benchmark-event';
export { CONN_EVENT_NAME, type ConnEventPlain, makeConnEvent, makeConnEventArgs, makeConnEventPlain } from './conn-event';
export {
  DEFAULT_BENCHMARK_PORT, parseBenchmarkAddress, parseThroughputArgs, THROUGHPUT_USAGE, type ThroughputClientOptions, type ThroughputOptions,
  type ThroughputServerOptions, UsageError,
} from './throughput-options';
export { BENCHMARK_TOPICS, eventCount, makeQuitBenchmark, makeStatsUpdate, parseStatsUpdate, type ThroughputStats } from './throughput-protocol';
export { runThroughputClient } from './throughput-client';
export { runThroughputServer } from './throughput-server';
export { processOutput, type ToolOutput } from './tool-output';
export { endpointRegistry, type MetricsSource, statusReport, type StatusReport } from './endpoint-metrics';
export { type MetricsServer, type MetricsServerOptions, serveMetrics } from './metrics-server';
export { isStop, makePing, makePong, pingId, pongId, STOP_MESSAGE } from './node-messages';
export { formatPipeMessage, parsePipeLine } from './pipe-format';
export {
  ArgumentError, collectList, parseCountArg, parseDurationArg, parseHostArg, parseHostPort, parseHostPortArg, parsePeerUri, parsePeerUriArg, parsePortArg, type PeerAddress,
} from './tool-arguments';
export { drainPublisher } from './publisher-drain';
