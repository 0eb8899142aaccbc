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

/**
 * Control message from the parent to a worker node: a `MessageChannel` port to the
 * sibling node `intro`, for a direct link that bypasses the parent.
 */
export interface SiblingIntro {
  /** Node id of the sibling at the other end of `port`. */
  intro: string;
  /** This worker's end of the channel (transferred). */
  port: import('node:worker_threads').MessagePort;
}

/**
 * Control message marking the end of relayed traffic. A worker posts `{ relayEnd: B }`
 * to its parent once it sends to sibling B directly; the parent passes
 * `{ relayEnd: A }` on to B after every batch A relayed before it, so B knows that
 * nothing from A is still on the way through the parent.
 */
export interface RelayEnd {
  /** Worker → parent: the sibling; parent → worker: the sender. */
  relayEnd: string;
}
