/**
 * Worker side of comlink: exposing an object to the thread that started this worker.
 */
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/umd/node-adapter';
import { parentPort } from 'node:worker_threads';
import { ActorError } from '../actor-error';

/**
 * Exposes `obj` to the parent thread through comlink; the parent drives it with
 * `wrapWorker(system, thisFile)` (or `openWorkerObject`). Call once, at module top level.
 * @param obj - the object (its methods may return Promises)
 * @throws ActorError `invalid_argument` when not running in a worker thread
 */
export function exposeInWorker(obj: object): void {
  if (parentPort === null) throw new ActorError('invalid_argument', 'exposeInWorker must run inside a worker thread');
  Comlink.expose(obj, nodeEndpoint(parentPort as unknown as Parameters<typeof nodeEndpoint>[0]));
}
