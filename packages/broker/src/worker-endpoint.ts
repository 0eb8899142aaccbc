/**
 * Endpoints in worker threads, peered with the endpoint that started them over a
 * MessagePort instead of TCP. The main thread starts a worker with
 * `ep.spawnWorkerEndpoint(modulePath)`; the module creates its own `Endpoint` and calls
 * `peerParent()`. The two endpoints' actor systems are linked by a `MessagePortLink` of
 * the actor runtime on a dedicated `MessageChannel` (the worker's own `parentPort` stays
 * free for the application), and the endpoints then peer with Broker's handshake over
 * that link, exactly as over TCP: same statuses, filters, forwarding and flow control.
 *
 * ```
 * main thread                              worker thread
 *   spawnWorkerEndpoint(module) ─ Worker(module, workerData: {port, parent id}) ─▶
 *                                            new Endpoint(); ep.peerParent()
 *   links its system to `node`   ◀─ {broker: 'link', node}   (first message on the port)
 *                                ◀─ broker.hello ... (the peering protocol, as over TCP)
 *   resolves once peer_added
 * ```
 */
import * as path from 'node:path';
import type { ActorSystem } from '@broker-ts/actor';
import { MessagePortLink } from '@broker-ts/actor/internal';
import { BrokerError } from '@broker-ts/data';
import { type Duration, toMilliseconds } from './duration';
import { MessageChannel, type MessagePort, Worker, isMainThread, workerData } from 'node:worker_threads';

/** The part of a worker's `workerData` that belongs to broker-ts. */
interface WorkerEndpointData {
  /** Marks workerData written by {@link startWorkerEndpoint}. */
  brokerWorkerEndpoint: true;
  /** The port to the parent endpoint's system. */
  port: MessagePort;
  /** The parent endpoint's id (its actor system's node id). */
  parent: string;
  /** The application's own workerData. */
  data: unknown;
}

/** The first message on the port: the worker's node id, before any envelope batch. */
interface LinkHello {
  broker: 'link';
  node: string;
}

/** Options of `Endpoint.spawnWorkerEndpoint`. */
export interface WorkerEndpointOptions {
  /** Data for the worker, read there with {@link workerEndpointData}. Must be cloneable. */
  workerData?: unknown;
  /** Thread name (debugger, logs). */
  name?: string;
  /** Extra `execArgv`; the tsx loader is added for a `.ts` module. */
  execArgv?: string[];
  /** How long to wait for the worker's endpoint to peer (default 30 s). */
  timeout?: Duration;
  /**
   * Real time after which a worker that answers no ping is declared dead (default 5 s):
   * the parent sees `peer_lost` and the thread is terminated.
   */
  livenessTimeout?: Duration;
}

/** The main thread's handle of a worker-thread endpoint. */
export interface WorkerEndpoint {
  /** The worker endpoint's id (as in `peers()` and statuses). */
  readonly id: string;
  /** The thread. */
  readonly worker: Worker;
  /** Resolves with the exit code once the thread has ended. */
  readonly exited: Promise<number>;
  /** Terminates the thread (the parent sees `peer_lost`); resolves once it has ended. */
  terminate(): Promise<void>;
}

/** Flags a worker needs to run TypeScript (tsx, and workspace packages from source). */
function execArgvFor(modulePath: string): string[] {
  if (!/\.[cm]?tsx?$/.test(modulePath)) return [];
  let tsx: string;
  try {
    tsx = require.resolve('tsx/cjs');
  } catch (e) {
    throw new BrokerError('cannot_open_resource', 'running a TypeScript worker module needs the tsx package', {}, { cause: e });
  }
  return ['--conditions=@broker-ts/source', '--require', tsx];
}

/**
 * Starts `modulePath` in a worker thread, links its actor system with `system` over a
 * MessageChannel and waits until the worker's endpoint peered (`peered(id)` resolves).
 * @param system - the parent endpoint's actor system
 * @param peered - resolves once the endpoint with that id has peered with the parent, or
 *   rejects; called as soon as the worker announced its id
 * @throws BrokerError `cannot_open_resource` when the module cannot run, `peer_unavailable`
 *   when the worker ends or never peers within `timeout`; `invalid_data` for a bad
 *   duration, before any thread starts
 */
export async function startWorkerEndpoint(
  system: ActorSystem,
  modulePath: string,
  options: WorkerEndpointOptions,
  peered: (id: string, failed: Promise<never>) => Promise<void>,
): Promise<WorkerEndpoint> {
  // The timeout covers the whole start: loading the module, announcing, peering.
  const timeout = options.timeout === undefined ? 30_000 : toMilliseconds(options.timeout, 'timeout');
  const livenessTimeout = options.livenessTimeout === undefined ? 5000 : toMilliseconds(options.livenessTimeout, 'livenessTimeout');
  const file = path.resolve(modulePath);
  const { port1, port2 } = new MessageChannel();
  const data: WorkerEndpointData = { brokerWorkerEndpoint: true, port: port2, parent: system.nodeId, data: options.workerData };
  let worker: Worker;
  try {
    worker = new Worker(file, { workerData: data, transferList: [port2], execArgv: [...execArgvFor(file), ...(options.execArgv ?? [])], name: options.name ?? 'broker-endpoint' });
  } catch (e) {
    port1.close();
    throw new BrokerError('cannot_open_resource', `cannot start a worker for ${file}: ${(e as Error).message}`, {}, { cause: e });
  }
  const log = system.loggerFor('endpoint');
  let failure: Error | undefined;
  worker.on('error', (err) => {
    failure = err;
    log.error({ event: 'worker-endpoint-error', detail: err.message }, 'worker endpoint thread failed');
  });
  let node: string | undefined;
  let link: MessagePortLink | undefined;
  /** Set by `terminate()`: the thread ends because we asked (its exit code is then 1). */
  let terminating = false;
  const exited = new Promise<number>((resolve) => {
    worker.once('exit', (code) => {
      link?.close();
      // Ended on request or by itself with 0: no human needs to hear of it (info, not warn).
      if (node !== undefined) system.router.linkDown(node, failure ?? `worker exited with code ${code}`, failure === undefined && (terminating || code === 0));
      port1.close();
      removeHook();
      resolve(code);
    });
  });
  const removeHook = system.addShutdownHook('worker endpoint', () => terminate());
  const terminate = async (): Promise<void> => {
    terminating = true;
    await worker.terminate();
    await exited;
  };
  const ended = exited.then((code): never => {
    throw new BrokerError('peer_unavailable', `the worker endpoint ${file} ended (exit code ${code}) before peering${failure ? `: ${failure.message}` : ''}`);
  });
  ended.catch(() => {});
  let timer: { cancel(): void } | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = system.clock.setTimer(timeout, () => reject(new BrokerError('peer_unavailable', `the worker endpoint ${file} did not peer within ${timeout} ms`)));
  });
  late.catch(() => {});
  const failed = Promise.race([ended, late]);
  try {
    node = await Promise.race([announced(port1), failed]);
    const peerNode = node;
    link = new MessagePortLink(system, port1, node, {
      liveness: {
        timeout: livenessTimeout,
        onDead: (detail) => {
          failure = new BrokerError('peer_unavailable', `the worker endpoint ${file}: ${detail}`);
          link?.close();
          system.router.linkDown(peerNode, failure);
          void worker.terminate();
        },
      },
    });
    system.router.linkUp(link);
    await Promise.race([peered(node, failed), failed]);
  } catch (e) {
    await terminate();
    throw e;
  } finally {
    timer?.cancel();
  }
  const id = node;
  return { id, worker, exited, terminate };
}

/** Resolves with the worker's node id from its first message on the port. */
function announced(port: MessagePort): Promise<string> {
  return new Promise((resolve) => {
    const onMessage = (msg: unknown): void => {
      const hello = msg as Partial<LinkHello> | null;
      if (hello === null || typeof hello !== 'object' || hello.broker !== 'link' || typeof hello.node !== 'string') return;
      port.off('message', onMessage);
      resolve(hello.node);
    };
    port.on('message', onMessage);
  });
}

/**
 * Worker side: links this thread's endpoint system to the parent endpoint's system.
 * @param system - the worker endpoint's actor system
 * @returns the parent endpoint's id
 * @throws BrokerError `bad_member_function_call` outside a worker started by `spawnWorkerEndpoint`
 */
export function linkToParent(system: ActorSystem): string {
  const data = parentData();
  if (system.router.hasLink(data.parent)) return data.parent;
  const link = new MessagePortLink(system, data.port, data.parent);
  // Announce our id first: the parent links its side on this message, before our envelopes.
  data.port.postMessage({ broker: 'link', node: system.nodeId } satisfies LinkHello);
  system.router.linkUp(link);
  system.addShutdownHook('parent link', () => {
    link.close();
    data.port.close();
  });
  return data.parent;
}

function parentData(): WorkerEndpointData {
  const data = workerData as Partial<WorkerEndpointData> | null;
  if (isMainThread || data === null || typeof data !== 'object' || data.brokerWorkerEndpoint !== true) {
    throw new BrokerError('bad_member_function_call', 'peerParent() works only in a worker started by Endpoint.spawnWorkerEndpoint');
  }
  return data as WorkerEndpointData;
}

/**
 * In a worker started by `spawnWorkerEndpoint`: the `workerData` the parent passed.
 * @throws BrokerError `bad_member_function_call` in any other thread
 */
export function workerEndpointData<T = unknown>(): T {
  return parentData().data as T;
}
