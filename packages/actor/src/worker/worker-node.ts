/**
 * Main-thread handle of a worker thread that hosts an actor system (a worker node).
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { ActorError } from '../actor-error';
import type { ActorRef } from '../actor-ref';
import type { ActorSystem } from '../actor-system';
import { Envelope, EnvelopeKind } from '../envelope';
import type { AnyMessage, Message } from '../message';
import { MessagePortLink } from './message-port-link';
import { SiblingIntroducer } from './sibling-introducer';
import type { SpawnModuleRequest, WorkerNodeData } from './worker-data';
import { runningFromSource, workerEntryPath } from './worker-entry';
import { workerExecArgv } from './worker-exec-argv';

/** Options for `startWorker` (and the worker part of `spawnWorker`). */
export interface StartWorkerOptions {
  /** Name of the worker's system and thread (logs, debugger). */
  name?: string;
  /** pino level inside the worker (default: the parent's logger level). */
  logLevel?: string;
  /** Extra `execArgv` for the worker (the tsx loader is added when needed). */
  execArgv?: string[];
  /** Load TypeScript in the worker (default: when this runtime itself runs from `.ts`). */
  typescript?: boolean;
  /**
   * Let this worker talk to its sibling workers (other workers of the same parent that
   * allow it) over direct `MessageChannel`s, set up by the parent the first time it
   * relays between them (default true). With false, all its sibling traffic goes
   * through the parent.
   */
  directSiblings?: boolean;
  /**
   * Real milliseconds after which a worker that answers no ping is declared dead
   * (default 5000): its actors become unreachable (DOWN/EXIT) and the thread is
   * terminated, so that a hung thread (an endless loop) does not spin until shutdown.
   */
  livenessTimeout?: number;
}

/** Options for spawning an actor from a module in a worker. */
export interface SpawnInWorkerOptions<Args extends unknown[] = unknown[]> {
  /** Export holding the behavior factory or Actor class (default `default`). */
  exportName?: string;
  /** Spawn args; they cross the thread boundary (cbor-x), refs included. */
  args?: Args;
  /** Register the actor under this name in the worker (see `lookup`). */
  name?: string;
  /** Milliseconds to wait for the worker to load the module and spawn (default 30000). */
  timeout?: number;
}

let workerCounter = 0;

/**
 * A worker thread running its own actor system, linked to the parent's router. Refs to
 * its actors behave like local ones; when the thread ends for any reason (crash,
 * `process.exit`, terminate) every monitor and link of its actors gets DOWN/EXIT with
 * reason `unreachable`. It is stopped (orderly, then terminated) at the parent's shutdown.
 */
export class WorkerNode {
  /** Node id of the worker's system. */
  readonly nodeId: string;
  /** The thread. */
  readonly worker: Worker;
  /** Resolves with the exit code when the thread has ended. */
  readonly exited: Promise<number>;
  private readonly log: Logger;
  private readonly removeHook: () => void;
  private failure: Error | undefined;
  private ended = false;
  private readonly typescript: boolean;

  /** @internal use `startWorker(system)` */
  constructor(
    private readonly system: ActorSystem,
    options: StartWorkerOptions = {},
  ) {
    const n = ++workerCounter;
    this.nodeId = `${system.nodeId}/w${n}`;
    this.log = system.loggerFor('worker');
    this.typescript = options.typescript ?? runningFromSource;
    const entry = workerEntryPath();
    const data: WorkerNodeData = {
      mode: 'node',
      parentNode: system.nodeId,
      nodeId: this.nodeId,
      name: options.name ?? `${system.name}/w${n}`,
      logLevel: options.logLevel ?? system.logger.level,
    };
    const execArgv = [...workerExecArgv(entry, this.typescript ? '.ts' : undefined), ...(options.execArgv ?? [])];
    this.worker = new Worker(entry, { workerData: data, execArgv, name: data.name });
    const introducer = SiblingIntroducer.of(system);
    const direct = options.directSiblings !== false;
    const link = new MessagePortLink(system, this.worker, this.nodeId, {
      liveness: {
        timeout: options.livenessTimeout ?? 5000,
        onDead: (detail) => {
          this.failure = new ActorError('worker_failed', `worker ${this.nodeId}: ${detail}`);
          link.close();
          system.router.linkDown(this.nodeId, this.failure);
          void this.worker.terminate();
        },
      },
      relayed: direct ? (to) => introducer.relayed(this.nodeId, to) : undefined,
      control: (d) => {
        if (!introducer.control(this.nodeId, d)) this.log.warn({ event: 'decode-failed', node: this.nodeId, reason: 'unknown control message' }, 'dropped an unknown control message');
      },
    });
    system.router.linkUp(link);
    if (direct) introducer.add(link);
    this.worker.on('error', (err) => {
      this.failure = err;
      this.log.error({ event: 'worker-error', node: this.nodeId, err }, 'worker thread failed');
    });
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', (code) => {
        this.ended = true;
        this.log.info({ event: 'worker-exit', node: this.nodeId, code }, 'worker thread ended');
        introducer.remove(this.nodeId);
        link.close();
        // A thread that ended with code 0 and no failure shut down in order (asked to, or
        // by itself): its going needs no human.
        system.router.linkDown(this.nodeId, this.failure ?? `worker exited with code ${code}`, this.failure === undefined && code === 0);
        this.removeHook();
        resolve(code);
      });
    });
    this.removeHook = system.addShutdownHook(`worker ${this.nodeId}`, () => this.terminate());
    this.log.info({ event: 'worker-started', node: this.nodeId, threadId: this.worker.threadId }, 'worker thread started');
  }

  /** True once the thread has ended. */
  get isRunning(): boolean {
    return !this.ended;
  }

  /**
   * Spawns an actor in this worker from a module's export (a behavior factory or an
   * Actor subclass).
   * @param modulePath - the module (relative paths resolve from the current directory)
   * @returns a ref usable like a local one
   * @throws (rejects) ActorError `spawn_failed`, `unreachable`, `request_timeout`
   */
  spawn<M extends Message = AnyMessage, Args extends unknown[] = unknown[]>(modulePath: string, options: SpawnInWorkerOptions<Args> & { dedicated?: boolean } = {}): Promise<ActorRef<M>> {
    const abs = path.resolve(modulePath);
    if (!this.typescript && /\.[cm]?tsx?$/.test(abs)) {
      return Promise.reject(new ActorError('spawn_failed', `worker ${this.nodeId} was started without TypeScript support; pass { typescript: true } to startWorker`));
    }
    const req: SpawnModuleRequest = { type: 'spawn', modulePath: abs, exportName: options.exportName, args: options.args ?? [], name: options.name, dedicated: options.dedicated };
    return this.system.request<ActorRef<M>>(this.system.refFor(this.nodeId, 0), req, { timeout: options.timeout ?? 30_000 });
  }

  /**
   * Stops the worker: first asks its system to shut down (its actors stop with reason
   * `shutdown`, run `onStop`, and their monitors and links hear `shutdown`), then
   * terminates the thread if it has not ended within `graceMs` (its actors are then
   * `unreachable`). Resolves when the thread has ended. Idempotent.
   * @param graceMs - real milliseconds to wait for the orderly shutdown (default 1000; 0 terminates at once)
   */
  async terminate(graceMs = 1000): Promise<void> {
    if (this.ended) return;
    if (graceMs > 0) {
      this.system.route(new Envelope(this.system.refFor(this.nodeId, 0), null, { type: 'shutdown' }, EnvelopeKind.Message, 0));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    }
    if (!this.ended) await this.worker.terminate();
    await this.exited;
  }
}
