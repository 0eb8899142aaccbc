/**
 * Worker threads of an actor system: start one as a node linked to the system, or spawn
 * one actor in a dedicated thread. The system itself knows nothing of workers; as the TCP
 * transport (`TcpNetwork.of(system)`), they plug into its node router.
 */
import { ActorError } from '../actor-error';
import type { ActorRef } from '../actor-ref';
import type { ActorSystem } from '../actor-system';
import type { AnyMessage, Message } from '../message';
import { runningFromSource } from './worker-entry';
import { WorkerNode, type SpawnInWorkerOptions, type StartWorkerOptions } from './worker-node';

/**
 * Starts a worker thread hosting its own actor system, linked to `system` (it routes
 * through this node to every other node). Spawn actors in it with `node.spawn(module)`.
 * @param system - the parent system
 * @param options - name, log level, exec arguments, TypeScript support, liveness
 * @throws ActorError `system_shutdown`, `spawn_failed`
 */
export function startWorker(system: ActorSystem, options: StartWorkerOptions = {}): WorkerNode {
  if (system.state !== 'running') throw new ActorError('system_shutdown', 'cannot start a worker: the system is shutting down');
  return new WorkerNode(system, options);
}

/**
 * Spawns an actor in a new, dedicated worker thread from a module export (a behavior
 * factory or an Actor subclass; `.ts` or `.js`). The ref behaves like a local one; the
 * thread ends when the actor stops, and a crash of the thread is DOWN/EXIT
 * `unreachable` for its monitors and links.
 * @param system - the parent system
 * @param modulePath - the module (relative paths resolve from the current directory)
 * @param options - exportName, args (may hold refs), name, timeout, worker options
 * @throws (rejects) ActorError `spawn_failed`, `request_timeout`, `system_shutdown`
 */
export async function spawnWorker<M extends Message = AnyMessage, Args extends unknown[] = unknown[]>(
  system: ActorSystem,
  modulePath: string,
  options: SpawnInWorkerOptions<Args> & StartWorkerOptions = {},
): Promise<ActorRef<M>> {
  const typescript = options.typescript ?? (runningFromSource || /\.[cm]?tsx?$/.test(modulePath));
  const node = startWorker(system, { name: options.name, logLevel: options.logLevel, execArgv: options.execArgv, typescript, directSiblings: options.directSiblings, livenessTimeout: options.livenessTimeout });
  try {
    return await node.spawn<M, Args>(modulePath, { ...options, dedicated: true });
  } catch (e) {
    await node.terminate();
    throw e;
  }
}
