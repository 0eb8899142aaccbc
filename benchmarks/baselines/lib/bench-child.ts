/**
 * A benchmark participant running as a separate OS process, driven over its standard
 * streams with a line protocol:
 * - the child prints `ready` or `ready <port>` once it can be measured;
 * - on stdin `sample` it answers `sample <count> [<cpuMicros>]`, where count is what it
 *   has received (receivers) or sent (senders) and cpuMicros is its own
 *   `process.cpuUsage()` user + system (Node children; others omit it and are read
 *   from `/proc/<pid>/stat`);
 * - on stdin `memory` a Node child answers with its `process.memoryUsage()`;
 * - on stdin `stop` or end of input it prints `total <count>` and exits.
 * Programs that do not speak the protocol (nats-server) are spawned the same way and
 * only waited on for a log line.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

import { procCpuSeconds } from './proc-cpu';

/** One reading of a participant: its count and the CPU seconds it has used. */
export interface Sample {
  /** Messages received (receiver) or sent (sender) so far. */
  count: number;
  /** User + system CPU seconds used so far, all threads. */
  cpuSeconds: number;
}

/** A Node child's `process.memoryUsage()`, and its young generation's size, bytes. */
export interface MemoryReading {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** V8's new space, reserved (part of `heapTotal`); absent in runs saved before it was read. */
  youngGeneration?: number;
}

/** Something whose CPU time counts towards a measurement. */
export interface CpuMeter {
  /** Display name, for error messages. */
  readonly name: string;
  /** CPU seconds used so far. */
  cpuSeconds(): Promise<number>;
}

/** Options of {@link BenchChild.spawn}. */
export interface BenchChildOptions {
  /** Display name, used in errors and in verbose output. */
  name: string;
  /** Executable. */
  command: string;
  /** Its arguments. */
  args?: readonly string[];
  /** Echo the child's stderr, prefixed with its name (default false). */
  verbose?: boolean;
  /** Extra environment variables, added to this process's. */
  env?: Readonly<Record<string, string>>;
}

/** A line waited for; matched against lines of one stream. */
interface LineWaiter {
  stream: 'stdout' | 'stderr';
  pattern: RegExp;
  resolve(match: RegExpMatchArray): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** Lines kept from each stream for later waiters and for error messages. */
const KEPT_LINES = 50;

/** A child process speaking the benchmark control protocol (see the file comment). */
export class BenchChild implements CpuMeter {
  /** Display name. */
  readonly name: string;
  /** OS process id. */
  readonly pid: number;
  /** Resolves when the process has exited, with its exit code or signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private readonly proc: ChildProcess;
  private readonly waiters: LineWaiter[] = [];
  /** Recent lines not yet taken by a waiter (bounded: the newest {@link KEPT_LINES} per stream). */
  private readonly recent: { stdout: string[]; stderr: string[] } = { stdout: [], stderr: [] };
  private exitInfo: string | undefined;

  private constructor(options: BenchChildOptions) {
    this.name = options.name;
    const env = options.env === undefined ? undefined : { ...process.env, ...options.env };
    this.proc = spawn(options.command, [...(options.args ?? [])], { stdio: ['pipe', 'pipe', 'pipe'], env });
    if (this.proc.pid === undefined) throw new Error(`${this.name}: could not start ${options.command}`);
    this.pid = this.proc.pid;
    const verbose = options.verbose ?? false;
    for (const stream of ['stdout', 'stderr'] as const) {
      const lines = createInterface({ input: this.proc[stream]!, crlfDelay: Infinity });
      lines.on('line', (line) => {
        if (verbose && stream === 'stderr') process.stderr.write(`[${this.name}] ${line}\n`);
        this.onLine(stream, line);
      });
    }
    // A child that dies takes its stdin pipe with it; the write error is reported by exit.
    this.proc.stdin!.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exitInfo = `${this.name} exited (code ${code}, signal ${signal})`;
        const error = this.failure(this.exitInfo);
        for (const w of this.waiters.splice(0)) {
          clearTimeout(w.timer);
          w.reject(error);
        }
        resolve({ code, signal });
      });
    });
    this.proc.on('error', (error) => {
      this.exitInfo = `${this.name}: ${error.message}`;
    });
  }

  /** Starts `command` as a child process with piped standard streams. */
  static spawn(options: BenchChildOptions): BenchChild {
    return new BenchChild(options);
  }

  /**
   * Starts a TypeScript script in a new Node process (through tsx, with the workspace
   * packages resolved to their sources). Flags in the environment variable
   * `BENCH_NODE_FLAGS` (space-separated, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`,
   * which `NODE_OPTIONS` does not accept) are passed to every such child.
   */
  static spawnNode(name: string, script: string, args: readonly string[] = [], verbose = false): BenchChild {
    const extra = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '');
    const execArgv = [...extra, '--conditions=@broker-ts/source', '--require', require.resolve('tsx/cjs'), script, ...args];
    return new BenchChild({ name, command: process.execPath, args: execArgv, verbose });
  }

  /**
   * Waits for a line of `stream` matching `pattern`, including lines printed before
   * the call that no earlier waiter took.
   * @throws Error on timeout or if the process exits first
   */
  waitForLine(pattern: RegExp, timeoutMs: number, stream: 'stdout' | 'stderr' = 'stdout'): Promise<RegExpMatchArray> {
    const kept = this.recent[stream];
    for (let i = 0; i < kept.length; i++) {
      const match = kept[i].match(pattern);
      if (match) {
        kept.splice(i, 1);
        return Promise.resolve(match);
      }
    }
    if (this.exitInfo !== undefined) return Promise.reject(this.failure(this.exitInfo));
    return new Promise((resolve, reject) => {
      const waiter: LineWaiter = {
        stream,
        pattern,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(this.failure(`${this.name}: no line matching ${pattern} on ${stream} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Waits for `ready` and returns the port it names, if any. */
  async ready(timeoutMs = 30_000): Promise<number | undefined> {
    const match = await this.waitForLine(/^ready(?: (\d+))?$/, timeoutMs);
    return match[1] === undefined ? undefined : Number(match[1]);
  }

  /** Sends one command line to the child's stdin. */
  send(line: string): void {
    this.proc.stdin!.write(`${line}\n`);
  }

  /**
   * Asks for a sample: the child's count, and its CPU seconds (self-reported, or read
   * from /proc when the child does not report it).
   */
  async sample(timeoutMs = 10_000): Promise<Sample> {
    const reply = this.waitForLine(/^sample (\d+)(?: (\d+))?$/, timeoutMs);
    this.send('sample');
    const match = await reply;
    const cpuSeconds = match[2] === undefined ? procCpuSeconds(this.pid) : Number(match[2]) / 1e6;
    return { count: Number(match[1]), cpuSeconds };
  }

  /**
   * Asks a Node child for its `process.memoryUsage()` and young generation (`memory` on
   * stdin, answered with `memory <rss> <heapTotal> <heapUsed> <external> <arrayBuffers>
   * <youngGeneration>` in bytes).
   */
  async memory(timeoutMs = 10_000): Promise<MemoryReading> {
    const reply = this.waitForLine(/^memory (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$/, timeoutMs);
    this.send('memory');
    const [rss, heapTotal, heapUsed, external, arrayBuffers, youngGeneration] = (await reply).slice(1, 7).map(Number);
    return { rss, heapTotal, heapUsed, external, arrayBuffers, youngGeneration };
  }

  /** CPU seconds used so far (via {@link sample}). */
  async cpuSeconds(): Promise<number> {
    return (await this.sample()).cpuSeconds;
  }

  /**
   * Stops the child: `stop` on stdin, then SIGKILL if it has not exited within
   * `graceMs`. Resolves once it has exited.
   * @throws Error if the child exits with a non-zero status on its own (a failed final
   *   check), or had already died
   */
  async stop(graceMs = 3000): Promise<void> {
    if (this.exitInfo === undefined) {
      this.send('stop');
      this.proc.stdin!.end();
      await this.terminate(graceMs, 'SIGKILL');
    }
    const { code, signal } = await this.exited;
    if (code !== 0 && signal !== 'SIGKILL') throw this.failure(this.exitInfo ?? `${this.name} failed`);
  }

  /** Sends `signal` (default SIGTERM) and waits for exit, escalating to SIGKILL after `graceMs`. */
  async kill(signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<void> {
    if (this.exitInfo !== undefined) return;
    this.proc.kill(signal);
    await this.terminate(graceMs, 'SIGKILL');
  }

  private async terminate(graceMs: number, last: NodeJS.Signals): Promise<void> {
    const timer = setTimeout(() => this.proc.kill(last), graceMs);
    try {
      if (this.exitInfo === undefined) await once(this.proc, 'exit');
    } finally {
      clearTimeout(timer);
    }
  }

  private onLine(stream: 'stdout' | 'stderr', line: string): void {
    for (let i = 0; i < this.waiters.length; i++) {
      const w = this.waiters[i];
      if (w.stream !== stream) continue;
      const match = line.match(w.pattern);
      if (match) {
        this.waiters.splice(i, 1);
        clearTimeout(w.timer);
        w.resolve(match);
        return;
      }
    }
    const kept = this.recent[stream];
    kept.push(line);
    if (kept.length > KEPT_LINES) kept.shift();
  }

  private failure(message: string): Error {
    const tail = this.recent.stderr.slice(-25).join('\n  ');
    return new Error(tail ? `${message}; last stderr lines:\n  ${tail}` : message);
  }
}
