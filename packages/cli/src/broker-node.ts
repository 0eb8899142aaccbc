#!/usr/bin/env node
/**
 * `broker-node`: Broker's test node (broker-node/broker-node.cc in zeek/broker). A relay
 * (the default) subscribes to its topics and forwards them between peers; a ping node
 * measures round trips to pong nodes; either can hold memory stores as master or clone.
 * Run `broker-node --help` for the options; see docs/cli.md.
 */
import { Command, Option } from 'commander';

import { BrokerError, type DataMessage, type Endpoint, Subscriber } from '@broker-ts/broker';

import { isStop, makePing, makePong, pingId, pongId } from './node-messages';
import { parsePeerUriArg } from './tool-arguments';
import { openToolEndpoint, type ToolEndpoint } from './tool-endpoint';
import { runAsMain } from './tool-main';
import { addEndpointFlags, collectList, collectPeerUris, type EndpointFlags, parseCountArg, parseDurationArg, parsePayloadSizeArg, parsePortArg, runParsed, usageError } from './tool-options';
import { processOutput, type ToolOutput } from './tool-output';

/** The options of `broker-node`, as parsed. */
export interface BrokerNodeOptions extends EndpointFlags {
  /** `-v`: print what the node does. */
  verbose?: boolean;
  /** `-r`: with `-v` in relay mode, the rate once per second. */
  rate?: boolean;
  /** `-N`: the name in verbose output. */
  name?: string;
  /** `-t`: the topics. */
  topics?: string[];
  /** `-m`: the mode. */
  mode: 'relay' | 'ping' | 'pong';
  /** `-s`: extra bytes per ping. */
  payloadSize: number;
  /** `--rendezvous-retry` in milliseconds. */
  rendezvousRetry: number;
  /** `-n`: pings to send. */
  numMessages: number;
  /** `--peers`: `tcp://host:port` URIs, checked while parsing. */
  peers?: string[];
  /** `-p` or `BROKER_PORT`: the port to listen on. */
  port?: number;
  /** `--retry` in milliseconds. */
  retry?: number;
  /** `--master-stores`. */
  masterStores?: string[];
  /** `--clone-stores`. */
  cloneStores?: string[];
}

/** The command line of `broker-node` (a fresh commander program each time). */
export function brokerNodeCommand(): Command {
  const cmd = new Command('broker-node')
    .description("Broker's test node: relay messages, or measure ping/pong round trips; optionally hold stores")
    .option('-v, --verbose', 'print status and debug output')
    .option('-r, --rate', "print the rate once per second ('relay' mode with --verbose)")
    .option('-N, --name <name>', 'node name in verbose output (default: the mode)')
    .option('-t, --topics <topics>', 'topics for sending/receiving messages (repeat, or a list: -t /a,/b or --topics=[/a,/b])', collectList)
    .addOption(new Option('-m, --mode <mode>', 'what the node does').choices(['relay', 'ping', 'pong']).default('relay'))
    .option('-s, --payload-size <bytes>', 'additional number of bytes for the ping message (at most 16000000)', parsePayloadSizeArg, 0)
    .addOption(new Option('--rendezvous-retry <duration>', 'time before repeating the first rendezvous ping').argParser(parseDurationArg).default(250, '250ms'))
    .option('-n, --num-messages <n>', "number of pings ('ping' mode only)", parseCountArg, 100)
    .option('--peers <uris>', 'peers to connect to on startup, as tcp://<host>:<port> (repeat, or a list)', collectPeerUris)
    .addOption(new Option('-p, --port <port>', 'port to listen on for incoming peerings (9999 or 9999/tcp; 0 picks one)').argParser(parsePortArg).env('BROKER_PORT'))
    .option('--retry <duration>', 'retry failed peerings this often and re-establish lost ones (default: report the failure and go on)', parseDurationArg)
    .option('--master-stores <names>', 'stores to attach as masters (memory backend)', collectList)
    .option('--clone-stores <names>', 'stores to attach as clones', collectList)
    .option('--endpoint-id <uuid>', 'forces the endpoint to use this ID (never the same for two endpoints)')
    .allowExcessArguments(false);
  return addEndpointFlags(cmd);
}

/** Prints verbose lines as Broker's tools do: `<time>: <text>` on stdout. */
function verboseOutput(options: BrokerNodeOptions, io: ToolOutput): (text: string) => void {
  if (options.verbose !== true) return () => undefined;
  const name = options.name ?? options.mode;
  return (text) => io.out(`${new Date().toISOString()}: [${name}] ${text}`);
}

/** Reads the next message, or null once the subscriber is closed (stop signal or shutdown). */
async function next(sub: Subscriber, timeout?: number): Promise<DataMessage | null | 'closed'> {
  try {
    return await (timeout === undefined ? sub.get() : sub.get({ timeout }));
  } catch {
    return 'closed';
  }
}

async function relayMode(options: BrokerNodeOptions, say: (t: string) => void, sub: Subscriber): Promise<number> {
  say('relay messages');
  let received = 0;
  let rate: NodeJS.Timeout | undefined;
  if (options.verbose === true && options.rate === true) {
    let last = 0;
    rate = setInterval(() => {
      say(`rate: ${received - last} messages/s`);
      last = received;
    }, 1000);
  }
  try {
    for (;;) {
      const msg = await next(sub);
      if (msg === 'closed' || msg === null) return 0;
      const [, value] = msg;
      const ping = pingId(value);
      const pong = pongId(value);
      if (ping !== undefined) say(`received ping ${ping}`);
      else if (pong !== undefined) say(`received pong ${pong}`);
      else if (isStop(value)) {
        say('received stop');
        return 0;
      }
      received++;
    }
  } finally {
    clearInterval(rate);
  }
}

async function pingMode(ep: Endpoint, topics: string[], options: BrokerNodeOptions, say: (t: string) => void, sub: Subscriber, io: ToolOutput): Promise<number> {
  const topic = topics[0];
  say(`send pings to topic ${topic}`);
  if (options.numMessages === 0) {
    io.err('send no pings: n = 0');
    return 0;
  }
  // Rendezvous: ping 0 is repeated until a pong answers it, so that every node on the
  // path is up; it is not measured.
  ep.publish(topic, makePing(0, 0));
  for (;;) {
    const msg = await next(sub, options.rendezvousRetry);
    if (msg === 'closed') return 0;
    if (msg === null) ep.publish(topic, makePing(0, 0));
    else if (pongId(msg[1]) === 0n) break;
  }
  let total = 0n;
  for (let i = 1; i <= options.numMessages; i++) {
    const t0 = process.hrtime.bigint();
    ep.publish(topic, makePing(i, options.payloadSize));
    for (;;) {
      const msg = await next(sub);
      if (msg === 'closed' || msg === null) return 0;
      if (pongId(msg[1]) === BigInt(i)) break;
    }
    const roundtrip = process.hrtime.bigint() - t0;
    total += roundtrip;
    io.out(String(roundtrip));
  }
  say(`AVG: ${total / BigInt(options.numMessages)}ns`);
  return 0;
}

async function pongMode(ep: Endpoint, topics: string[], say: (t: string) => void, sub: Subscriber): Promise<number> {
  say(`receive pings from topics ${topics.join(', ')}`);
  for (;;) {
    const msg = await next(sub);
    if (msg === 'closed' || msg === null) return 0;
    const [topic, value] = msg;
    const id = pingId(value);
    if (id !== undefined) {
      say(`received ping ${id}`);
      ep.publish(topic, makePong(id));
    } else if (isStop(value)) {
      say('received stop');
      return 0;
    }
  }
}

/**
 * Connects to the `--peers`; a peer that cannot be reached is reported, not fatal (as
 * Broker's tool). The addresses and the retry were checked while parsing; should the
 * endpoint still refuse them (`invalid_data`), that is a bad command-line value too.
 * @returns undefined when the node goes on, or the exit status 2 after printing the error
 */
async function connectPeers(node: ToolEndpoint, options: BrokerNodeOptions, say: (t: string) => void, io: ToolOutput): Promise<number | undefined> {
  for (const uri of options.peers ?? []) {
    const peer = parsePeerUriArg(uri);
    say(`connect to ${peer.host} on port ${peer.port} ...`);
    try {
      if (options.retry !== undefined) node.endpoint.peerNoWait(peer.host, peer.port, { retry: options.retry });
      else if (!(await node.endpoint.peer(peer.host, peer.port))) io.err(`unable to connect to <${uri}>`);
    } catch (error) {
      if (error instanceof BrokerError && error.code === 'invalid_data') return usageError('broker-node', `cannot peer with <${uri}>: ${error.message}`, io);
      throw error;
    }
  }
  return undefined;
}

/** Attaches the `--master-stores` (before peering) or the `--clone-stores` (after). */
async function attachStores(node: ToolEndpoint, kind: 'master' | 'clone', names: readonly string[], io: ToolOutput): Promise<boolean> {
  for (const name of names) {
    try {
      node.stores.push(kind === 'master' ? await node.endpoint.attachMaster(name, 'memory') : await node.endpoint.attachClone(name));
    } catch (error) {
      io.err(`failed to attach ${kind} store for ${name}: ${(error as Error).message}`);
      return false;
    }
  }
  return true;
}

async function runNode(options: BrokerNodeOptions, io: ToolOutput, signal?: AbortSignal): Promise<number> {
  const topics = options.topics ?? [];
  if (topics.length === 0) {
    io.err('no topics specified');
    return 1;
  }
  const say = verboseOutput(options, io);
  const node = await openToolEndpoint({ tool: 'broker-node', name: options.name ?? options.mode, flags: options as BrokerNodeOptions & Record<string, unknown>, printStatuses: options.verbose === true, verbose: false }, io);
  if (typeof node === 'number') return node;
  const sub = node.endpoint.makeSubscriber(options.mode === 'ping' ? [topics[0]] : topics);
  const onAbort = (): void => sub.close();
  signal?.addEventListener('abort', onAbort);
  try {
    node.endpoint.forward(topics);
    if (options.port !== undefined) {
      say(`listen for peers on port ${options.port}`);
      try {
        await node.listen(options.port);
      } catch (error) {
        io.err(`broker-node: cannot listen on port ${options.port}: ${(error as Error).message}`);
        return 1;
      }
    }
    if (!(await attachStores(node, 'master', options.masterStores ?? [], io))) return 1;
    const badPeer = await connectPeers(node, options, say, io);
    if (badPeer !== undefined) return badPeer;
    if (!(await attachStores(node, 'clone', options.cloneStores ?? [], io))) return 1;
    if (signal?.aborted === true) return 0;
    switch (options.mode) {
      case 'ping':
        return await pingMode(node.endpoint, topics, options, say, sub, io);
      case 'pong':
        return await pongMode(node.endpoint, topics, say, sub);
      default:
        return await relayMode(options, say, sub);
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    sub.close();
    await node.close();
  }
}

/**
 * Runs `broker-node` on the arguments after the program name.
 * @param signal - ends the node cleanly (status 0)
 * @returns the exit status: 0 done, 1 failure (no topics, an option the endpoint
 *   refuses, a port that cannot be bound, a store that cannot be attached), 2 bad command line
 */
export function brokerNodeMain(argv: readonly string[], io: ToolOutput = processOutput, signal?: AbortSignal): Promise<number> {
  return runParsed<BrokerNodeOptions>(brokerNodeCommand(), argv, io, (options) => runNode(options, io, signal));
}

if (require.main === module) runAsMain('broker-node', brokerNodeMain);
