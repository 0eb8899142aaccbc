/**
 * Starts, stops and kills the cluster's node processes, as zeekctl or Zeek's supervisor
 * would. Each node is `node-process.ts` run by Node with tsx (the same way the demo
 * itself runs), its configuration as a JSON argument.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import type { NodeProcessConfig } from './node-process';

/** How many lines of a node's stderr are kept to explain a failure. */
const KEPT_LOG_LINES = 40;

/** A node process. */
export class NodeProcess {
  /** Resolves with the node's listening port (0 for a worker) once it is part of the cluster. */
  readonly ready: Promise<number>;
  /** Resolves with the exit code (`null` after a signal) once the process has ended. */
  readonly exited: Promise<number | null>;
  /** The last lines of its stderr (its logs), bounded. */
  private readonly log: string[] = [];
  private readonly proc: ChildProcess;

  /**
   * Starts a node process.
   * @param config - its configuration
   */
  constructor(readonly config: NodeProcessConfig) {
    const file = path.join(__dirname, 'node-process.ts');
    this.proc = spawn(process.execPath, ['--conditions=@broker-ts/source', '--require', require.resolve('tsx/cjs'), file, JSON.stringify(config)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
    // Closing the stdin of a process that already died fails with EPIPE: nothing to do then.
    this.proc.stdin!.on('error', () => {});
    createInterface({ input: this.proc.stderr! }).on('line', (line) => {
      this.log.push(line);
      if (this.log.length > KEPT_LOG_LINES) this.log.shift();
    });
    this.ready = new Promise((resolve, reject) => {
      createInterface({ input: this.proc.stdout! }).on('line', (line) => {
        const [word, port] = line.split(' ');
        if (word === 'ready') resolve(Number(port));
      });
      void this.exited.then((code) => reject(new Error(`${this.label} exited (code ${code}) before it was ready${this.logTail()}`)));
    });
    this.ready.catch(() => {});
  }

  /** `worker-1 (run 2, pid 1234)`. */
  get label(): string {
    return `${this.config.name} (run ${this.config.incarnation}, pid ${this.proc.pid ?? '?'})`;
  }

  /** The process id. */
  get pid(): number {
    return this.proc.pid ?? 0;
  }

  /** The kept log lines, as text to append to an error message ('' when there are none). */
  logTail(): string {
    return this.log.length === 0 ? '' : `; its last log lines:\n  ${this.log.join('\n  ')}`;
  }

  /** Kills the process with SIGKILL (no goodbye to its peers) and waits until it is gone. */
  async kill(): Promise<void> {
    this.proc.kill('SIGKILL');
    await this.exited;
  }

  /** Sends SIGKILL without waiting (when the demo itself is interrupted). */
  killNow(): void {
    this.proc.kill('SIGKILL');
  }

  /**
   * Asks the process to shut down (its stdin closes) and waits until it is gone; kills it
   * if it takes longer than `timeoutMs`.
   */
  async stop(timeoutMs = 30_000): Promise<void> {
    this.proc.stdin?.end();
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}
