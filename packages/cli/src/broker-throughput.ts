#!/usr/bin/env node
/**
 * `broker-throughput`: Broker's throughput benchmark (Broker 1.4's `tests/benchmark/broker-benchmark.cc`) for broker-ts.
 * Run `broker-throughput --help` for the options; see docs/cli.md.
 */
import { BrokerError } from '@broker-ts/broker';

import { parseThroughputArgs, THROUGHPUT_USAGE, type ThroughputOptions, UsageError } from './throughput-options';
import { runThroughputClient } from './throughput-client';
import { runThroughputServer } from './throughput-server';
import { runAsMain } from './tool-main';
import { processOutput, type ToolOutput } from './tool-output';

/**
 * Runs the tool on the arguments after the program name.
 * @param signal - ends a running server or client cleanly (status 0)
 * @returns the exit status: 0 done, 1 failure (also TLS files that cannot be read), 2 bad command line
 */
export async function brokerThroughputMain(argv: readonly string[], io: ToolOutput = processOutput, signal?: AbortSignal): Promise<number> {
  let options: ThroughputOptions;
  try {
    options = parseThroughputArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`broker-throughput: ${error.message}\n${THROUGHPUT_USAGE}`);
    return 2;
  }
  if (options.mode === 'help') {
    io.out(THROUGHPUT_USAGE);
    return 0;
  }
  try {
    return await (options.mode === 'server' ? runThroughputServer(options, io, signal) : runThroughputClient(options, io, signal));
  } catch (error) {
    // Options the endpoint refuses (a TLS file it cannot read): the reason, not a stack.
    if (!(error instanceof BrokerError)) throw error;
    io.err(`broker-throughput: ${error.message}`);
    return 1;
  }
}

if (require.main === module) runAsMain('broker-throughput', brokerThroughputMain);
