#!/usr/bin/env node
/**
 * `broker-pipe`: Broker's pipe tool (broker-pipe/broker-pipe.cc in zeek/broker). In
 * `publish` mode each line of stdin becomes a message (a string, or with `--json` a
 * Broker JSON v1 value); in `subscribe` mode each message on the topic becomes a line on
 * stdout (Broker's text format `data(<topic>, <value>)`, or with `--json` a JSON v1 data
 * message). Status and error events go to stderr as `*** <event>`.
 * Run `broker-pipe --help` for the options; see docs/cli.md.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

import { Command, Option } from 'commander';

import { BrokerError, type Data, type Endpoint, type Publisher } from '@broker-ts/broker';

import { formatPipeMessage, parsePipeLine } from './pipe-format';

import { drainPublisher } from './publisher-drain';
import { parseHostPortArg } from './tool-arguments';
import { openToolEndpoint } from './tool-endpoint';
import { runAsMain } from './tool-main';
import { addEndpointFlags, collectHostPorts, type EndpointFlags, parseCountArg, parseDurationArg, parsePortArg, runParsed, usageError } from './tool-options';
import { processOutput, type ToolOutput } from './tool-output';

/** How long a publishing pipe waits at the end of its input for its last messages to leave. */
const DRAIN_WAIT_MS = 10_000;

/** The options of `broker-pipe`, as parsed. */
export interface BrokerPipeOptions extends EndpointFlags {
  /** `-m`. */
  mode: 'publish' | 'subscribe';
  /** `-i`. */
  impl: 'blocking' | 'select' | 'stream';
  /** `-t`. */
  topic: string;
  /** `-p`: `host:port` addresses, checked while parsing. */
  peers?: string[];
  /** `-l` or `BROKER_PORT`; 0 does not listen. */
  localPort?: number;
  /** `-c`. */
  messageCap?: number;
  /** `-r`: print the rate instead of the messages. */
  rate?: boolean;
  /** `--json`. */
  json?: boolean;
  /** `--retry` in milliseconds. */
  retry?: number;
  /** `-v`: endpoint logs at info. */
  verbose?: boolean;
}

/** The command line of `broker-pipe` (a fresh commander program each time). */
export function brokerPipeCommand(): Command {
  const cmd = new Command('broker-pipe')
    .description('publish stdin lines on a topic, or print the messages of a topic on stdout')
    .addOption(new Option('-m, --mode <mode>', "'publish' or 'subscribe'").choices(['publish', 'subscribe']).makeOptionMandatory())
    .addOption(
      new Option('-i, --impl <impl>', "'blocking' (wait for each message), 'select' (take what is ready without waiting), or 'stream' (a callback; subscribe only)")
        .choices(['blocking', 'select', 'stream'])
        .default('blocking'),
    )
    .requiredOption('-t, --topic <topic>', 'topic for sending/receiving messages')
    .option('-p, --peers <host:port>', 'peers to connect to on startup (repeat, or a list)', collectHostPorts)
    .addOption(new Option('-l, --local-port <port>', 'port to listen on for peerings (ignored if 0)').argParser(parsePortArg).env('BROKER_PORT'))
    .option('-c, --message-cap <n>', 'stop after this many messages received or sent', parseCountArg)
    .option('-r, --rate', 'print the number of messages once per second instead of their content')
    .option('--json', "messages as Broker's JSON v1 (the WebSocket API's data messages) instead of the text format")
    .option('--retry <duration>', 'retry failed peerings this often until they succeed', parseDurationArg)
    .option('-v, --verbose', 'endpoint logs at info level on stderr')
    .allowExcessArguments(false);
  return addEndpointFlags(cmd);
}

/**
 * Peers with the `host:port` addresses; a failed peering is reported (as Broker's tool).
 * The addresses and the retry were checked while parsing; should the endpoint still
 * refuse them (`invalid_data`), that is a bad command-line value too.
 * @returns undefined when the tool goes on, or the exit status 2 after printing the error
 */
async function connectPeers(ep: Endpoint, options: BrokerPipeOptions, io: ToolOutput): Promise<number | undefined> {
  for (const p of options.peers ?? []) {
    const peer = parseHostPortArg(p);
    try {
      if (!(await ep.peer(peer.host, peer.port, options.retry === undefined ? {} : { retry: options.retry }))) io.err(`*** cannot peer with ${p}`);
    } catch (error) {
      if (error instanceof BrokerError && error.code === 'invalid_data') return usageError('broker-pipe', `cannot peer with ${p}: ${error.message}`, io);
      throw error;
    }
  }
  return undefined;
}

/**
 * Publishes stdin's lines. `blocking` waits for the publisher's credit at every line;
 * `select` publishes what stdin has ready while the publisher has room and waits for
 * credit only when it has none (Broker's select loop on the publisher's descriptor).
 * @returns the number published and the number of lines refused (bad JSON, or a topic
 *   the endpoint takes no publications on)
 */
async function publishLines(ep: Endpoint, pub: Publisher, options: BrokerPipeOptions, input: Readable, io: ToolOutput, signal?: AbortSignal): Promise<{ sent: number; refused: number }> {
  const cap = options.messageCap ?? Infinity;
  const lines = createInterface({ input, crlfDelay: Infinity });
  const onAbort = (): void => lines.close();
  signal?.addEventListener('abort', onAbort);
  let sent = 0;
  let refused = 0;
  let lineNo = 0;
  try {
    for await (const line of lines) {
      if (sent >= cap) break;
      lineNo++;
      let message: [string, Data];
      try {
        message = parsePipeLine(line, options.topic, options.json === true);
      } catch (error) {
        io.err(`*** line ${lineNo}: ${(error as Error).message}`);
        refused++;
        continue;
      }
      if (message[0] === options.topic) {
        const done = pub.publish(message[1]);
        if (options.impl === 'blocking' || pub.freeCapacity === 0) await done;
      } else {
        try {
          ep.publish(message[0], message[1]);
        } catch (error) {
          // A topic the endpoint takes no publications on (its own events, <$>/local/data/...).
          if (!(error instanceof BrokerError && error.code === 'invalid_topic_key')) throw error;
          io.err(`*** line ${lineNo}: ${error.message}`);
          refused++;
          continue;
        }
      }
      sent++;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    lines.close();
    // Everything handed to the publisher goes out before the endpoint says goodbye.
    const unsent = await drainPublisher(pub, DRAIN_WAIT_MS);
    if (unsent > 0) {
      io.err(`*** ${unsent} messages still waiting for the peers after ${DRAIN_WAIT_MS / 1000} s were not sent`);
      sent -= unsent;
    }
    pub.close();
  }
  return { sent, refused };
}

/**
 * Prints the topic's messages until the cap or the stop signal. `blocking` awaits each
 * message; `select` waits until messages are ready and takes all of them at once;
 * `stream` is a callback subscription.
 * @returns the number received
 */
async function printMessages(ep: Endpoint, options: BrokerPipeOptions, counter: { n: number }, io: ToolOutput, signal?: AbortSignal): Promise<void> {
  const cap = options.messageCap ?? Infinity;
  const print = (topic: string, value: Data): void => {
    counter.n++;
    if (options.rate !== true) io.out(formatPipeMessage(topic, value, options.json === true));
  };
  if (options.impl === 'stream') {
    await new Promise<void>((resolve) => {
      const stop = ep.subscribe(options.topic, (topic, value) => {
        if (counter.n >= cap) return;
        print(topic, value);
        if (counter.n >= cap) finish();
      });
      const finish = (): void => {
        stop();
        signal?.removeEventListener('abort', finish);
        resolve();
      };
      signal?.addEventListener('abort', finish);
      if (cap === 0 || signal?.aborted === true) finish();
    });
    return;
  }
  const sub = ep.makeSubscriber(options.topic);
  const onAbort = (): void => sub.close();
  signal?.addEventListener('abort', onAbort);
  try {
    while (counter.n < cap) {
      const first = await sub.get().catch(() => null);
      if (first === null) return;
      print(first[0], first[1]);
      if (options.impl === 'select') {
        for (const [topic, value] of sub.poll().slice(0, cap - counter.n)) print(topic, value);
      }
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    sub.close();
  }
}

async function runPipe(options: BrokerPipeOptions, io: ToolOutput, input: Readable, signal?: AbortSignal): Promise<number> {
  if (options.mode === 'publish' && options.impl === 'stream') {
    io.err('*** invalid mode or implementation setting: stream is for subscribe only');
    return 2;
  }
  const node = await openToolEndpoint({ tool: 'broker-pipe', name: `broker-pipe-${options.mode}`, flags: options as BrokerPipeOptions & Record<string, unknown>, printStatuses: true, verbose: options.verbose === true }, io);
  if (typeof node === 'number') return node;
  const counter = { n: 0 };
  let rate: NodeJS.Timeout | undefined;
  try {
    if (options.localPort !== undefined && options.localPort !== 0) {
      try {
        await node.listen(options.localPort);
      } catch (error) {
        io.err(`broker-pipe: cannot listen on port ${options.localPort}: ${(error as Error).message}`);
        return 1;
      }
    }
    // The topic is checked before any peering: the endpoint takes no publications on its
    // own event topics (<$>/local/data/...), a bad command line.
    let pub: Publisher | undefined;
    if (options.mode === 'publish') {
      try {
        pub = node.endpoint.makePublisher(options.topic);
      } catch (error) {
        if (error instanceof BrokerError && error.code === 'invalid_topic_key') return usageError('broker-pipe', `-t ${options.topic}: ${error.message}`, io);
        throw error;
      }
    }
    const badPeer = await connectPeers(node.endpoint, options, io);
    if (badPeer !== undefined) return badPeer;
    if (options.rate === true) {
      let last = 0;
      rate = setInterval(() => {
        io.out(String(counter.n - last));
        last = counter.n;
      }, 1000);
    }
    if (options.mode === 'subscribe') {
      await printMessages(node.endpoint, options, counter, io, signal);
      return 0;
    }
    const { sent, refused } = await publishLines(node.endpoint, pub!, options, input, io, signal);
    counter.n = sent;
    io.out(`*** published ${sent} messages`);
    return refused > 0 ? 1 : 0;
  } finally {
    clearInterval(rate);
    await node.close();
  }
}

/**
 * Runs `broker-pipe` on the arguments after the program name.
 * @param input - the lines to publish (stdin)
 * @param signal - ends the tool cleanly (status 0)
 * @returns the exit status: 0 done, 1 failure (an option the endpoint refuses, a port
 *   that cannot be bound, lines that are not JSON v1 with `--json`), 2 bad command line
 */
export function brokerPipeMain(argv: readonly string[], io: ToolOutput = processOutput, signal?: AbortSignal, input: Readable = process.stdin): Promise<number> {
  return runParsed<BrokerPipeOptions>(brokerPipeCommand(), argv, io, (options) => runPipe(options, io, input, signal));
}

if (require.main === module) runAsMain('broker-pipe', (argv, io, signal) => brokerPipeMain(argv, io, signal));
