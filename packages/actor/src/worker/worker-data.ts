/**
 * What the main thread tells a worker it starts (its `workerData`).
 */

/** `workerData` of a worker node (actors). */
export interface WorkerNodeData {
  /** Discriminator. */
  mode: 'node';
  /** Node id of the parent system. */
  parentNode: string;
  /** Node id assigned to the worker's system. */
  nodeId: string;
  /** Name of the worker's system (logs). */
  name: string;
  /** pino level inside the worker. */
  logLevel: string;
}

/** `workerData` of a worker that exposes an object through comlink. */
export interface WorkerObjectData {
  /** Discriminator. */
  mode: 'object';
  /** Absolute path of the module holding the object. */
  modulePath: string;
  /** Export to expose (a factory function is called with `args`). */
  exportName?: string;
  /** Arguments of a factory export. */
  args: unknown[];
}

/** Any `workerData` understood by the worker entry. */
export type WorkerData = WorkerNodeData | WorkerObjectData;

/** The request a parent sends to a worker node's `spawn` service. */
export interface SpawnModuleRequest {
  type: 'spawn';
  /** Absolute module path. */
  modulePath: string;
  /** Export holding the behavior factory or Actor class (default `default`). */
  exportName?: string;
  /** Spawn args. */
  args?: unknown[];
  /** Registered name in the worker. */
  name?: string;
  /** When true the worker shuts down once this actor stops. */
  dedicated?: boolean;
}
