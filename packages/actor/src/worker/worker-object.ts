/**
 * Main-thread side of comlink: an object living in a worker thread.
 */
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/umd/node-adapter';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ActorSystem } from '../actor-system';
import { ActorError } from '../actor-error';
import type { WorkerObjectData } from './worker-data';
import { workerEntryPath } from './worker-entry';
import { workerExecArgv } from './worker-exec-argv';

/** Options for {@link openWorkerObject}. */
export interface OpenWorkerObjectOptions {
  /** Export to expose (default `default`, else the module); a function is called with `args` and its result exposed. */
  exportName?: string;
  /** Arguments of a factory export (structured-cloned). */
  args?: unknown[];
  /** Thread name. */
  name?: string;
  /** Extra `execArgv` (the tsx loader is added when needed). */
  execArgv?: string[];
}

/**
 * An object in a worker thread, driven from here through comlink: every property
 * read and method call on `remote` is asynchronous. When the thread ends (crash, exit,
 * close), calls in flight reject with an error whose `code` is `worker_failed`.
 * @typeParam T - the exposed object's type
 */
export interface WorkerObject<T> {
  /** The comlink proxy. */
  readonly remote: Comlink.Remote<T>;
  /** Thread id of the worker. */
  readonly threadId: number;
  /** Terminates the worker; resolves when it has ended. Idempotent. */
  close(): Promise<void>;
}

type Listener = (ev: { data: unknown }) => void;

/**
 * Starts a worker for `script` and wraps its comlink endpoint.
 * @internal use {@link wrapWorker} / {@link openWorkerObject}
 */
export function startWorkerObject<T>(system: ActorSystem, script: string, workerData: WorkerObjectData | undefined, options: { name?: string; execArgv?: string[]; loads?: string }): WorkerObject<T> {
  const execArgv = [...workerExecArgv(script, options.loads), ...(options.execArgv ?? [])];
  const worker = new Worker(script, { workerData, execArgv, name: options.name });
  const log = system.loggerFor('worker');
  const base = nodeEndpoint(worker as unknown as Parameters<typeof nodeEndpoint>[0]);
  // Comlink never settles calls whose answer does not come; track them to fail them when the thread ends.
  const outstanding = new Set<string>();
  const listeners = new Map<Listener, Listener>();
  let failure: Error | undefined;
  const endpoint: Comlink.Endpoint = {
    postMessage(message: unknown, transfer?: unknown[]) {
      const id = (message as { id?: unknown } | null)?.id;
      if (typeof id === 'string') outstanding.add(id);
      if (ended) {
        queueMicrotask(() => failCalls());
      }
      base.postMessage(message, transfer as never);
    },
    addEventListener(type: string, listener: unknown) {
      const l = listener as Listener;
      const wrapped: Listener = (ev) => {
        const id = (ev.data as { id?: unknown } | null)?.id;
        if (typeof id === 'string') outstanding.delete(id);
        l(ev);
      };
      listeners.set(l, wrapped);
      base.addEventListener(type, wrapped as never);
    },
    removeEventListener(type: string, listener: unknown) {
      const wrapped = listeners.get(listener as Listener);
      if (wrapped === undefined) return;
      listeners.delete(listener as Listener);
      base.removeEventListener(type, wrapped as never);
    },
  };
  let ended = false;
  const failCalls = (): void => {
    const ids = [...outstanding];
    outstanding.clear();
    const value = { message: `worker thread ended${failure ? `: ${failure.message}` : ''}`, name: 'ActorError', code: 'worker_failed' };
    for (const id of ids) for (const l of [...listeners.keys()]) l({ data: { id, type: 'HANDLER', name: 'throw', value: { isError: true, value } } });
  };
  worker.on('error', (err) => {
    failure = err;
    log.error({ event: 'worker-error', threadId: worker.threadId, err }, 'worker object thread failed');
  });
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', (code) => {
      ended = true;
      log.info({ event: 'worker-exit', threadId: worker.threadId, code }, 'worker object thread ended');
      failCalls();
      removeHook();
      resolve();
    });
  });
  const close = async (): Promise<void> => {
    if (!ended) await worker.terminate();
    await exited;
  };
  const removeHook = system.addShutdownHook(`worker object ${worker.threadId}`, close);
  return { remote: Comlink.wrap<T>(endpoint), threadId: worker.threadId, close };
}

/**
 * The data for the runtime's own worker entry in `object` mode.
 * @internal
 */
export function objectWorkerData(modulePath: string, options: OpenWorkerObjectOptions): WorkerObjectData {
  return { mode: 'object', modulePath: path.resolve(modulePath), exportName: options.exportName, args: options.args ?? [] };
}

/**
 * Starts `script` as a worker thread that calls `exposeInWorker(obj)`, and returns a
 * comlink proxy of that object. Closed at shutdown of `system`.
 * @param system - the system whose shutdown closes it
 * @param script - the worker script (`.ts` or `.js`)
 * @throws ActorError `system_shutdown`
 */
export function wrapWorker<T>(system: ActorSystem, script: string, options: { name?: string; execArgv?: string[] } = {}): WorkerObject<T> {
  if (system.state !== 'running') throw new ActorError('system_shutdown', 'cannot start a worker: the system is shutting down');
  return startWorkerObject<T>(system, path.resolve(script), undefined, options);
}

/**
 * Loads `modulePath` in a new worker thread and exposes its export (an object, or the
 * result of calling a factory export with `args`) through comlink. Closed at shutdown of
 * `system`.
 * @param system - the system whose shutdown closes it
 * @param modulePath - the module (`.ts` or `.js`)
 * @throws ActorError `system_shutdown`
 */
export function openWorkerObject<T>(system: ActorSystem, modulePath: string, options: OpenWorkerObjectOptions = {}): WorkerObject<T> {
  if (system.state !== 'running') throw new ActorError('system_shutdown', 'cannot start a worker: the system is shutting down');
  const data = objectWorkerData(modulePath, options);
  return startWorkerObject<T>(system, workerEntryPath(), data, { name: options.name, execArgv: options.execArgv, loads: data.modulePath });
}
