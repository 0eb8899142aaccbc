/**
 * Finds the newest Broker built from source as a reference, outside the repository: the
 * environment variable BROKER_NEWEST_BUILD (the CMake build directory), or the `export`
 * lines of /work/ref/BROKER_NEWEST.env (BROKER_NEWEST_ENV names another file). Starts its
 * tools as child processes, picks free ports and waits for a port to listen. Shared by
 * the tests (which are skipped with the printed reason when the build is absent, through
 * the `newestBroker` requirement of `tools/requirements.ts`) and the
 * benchmarks that run the newest Broker beside broker-ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/** Paths of a reference Broker build. */
export interface ReferenceBroker {
  build: string;
  node: string;
  pipe: string;
  throughput: string;
  /** Directory to put on PYTHONPATH for `import broker`, when the bindings were built. */
  python: string | undefined;
  /** Broker's VERSION. */
  version: string;
  /** The zeek/broker commit it was built from. */
  commit: string;
}

const DEFAULT_ENV_FILE = '/work/ref/BROKER_NEWEST.env';

function readEnvFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m) out[m[1]] = m[2].trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

/**
 * Locates the reference build.
 * @returns the build, or the reason why there is none
 */
export function findReferenceBroker(): { broker: ReferenceBroker } | { reason: string } {
  let vars: Record<string, string> = { ...(process.env as Record<string, string>) };
  if (!vars.BROKER_NEWEST_BUILD) {
    const file = process.env.BROKER_NEWEST_ENV ?? DEFAULT_ENV_FILE;
    if (!fs.existsSync(file)) return { reason: `BROKER_NEWEST_BUILD is not set and ${file} does not exist (build the newest Broker, see docs/interop.md)` };
    vars = { ...readEnvFile(file), ...vars };
  }
  const build = vars.BROKER_NEWEST_BUILD;
  if (!build) return { reason: 'BROKER_NEWEST_BUILD is empty' };
  const node = vars.BROKER_NEWEST_NODE ?? path.join(build, 'bin', 'broker-node');
  const pipe = vars.BROKER_NEWEST_PIPE ?? path.join(build, 'bin', 'broker-pipe');
  const throughput = vars.BROKER_NEWEST_THROUGHPUT ?? path.join(build, 'bin', 'broker-throughput');
  for (const tool of [node, pipe]) {
    if (!fs.existsSync(tool)) return { reason: `${tool} does not exist (BROKER_NEWEST_BUILD=${build})` };
  }
  const python = vars.BROKER_NEWEST_PYTHON && fs.existsSync(vars.BROKER_NEWEST_PYTHON) ? vars.BROKER_NEWEST_PYTHON : undefined;
  return { broker: { build, node, pipe, throughput, python, version: vars.BROKER_NEWEST_VERSION ?? 'unknown', commit: vars.BROKER_NEWEST_COMMIT ?? 'unknown' } };
}

/** A free TCP port on 127.0.0.1 (bound and released; the tools bind it right after). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** A running Broker tool with its output collected. */
export interface BrokerProcess {
  child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves once stdout holds a line matching `pattern`; rejects if the process exits first. */
  waitForOutput(pattern: RegExp, stream?: 'stdout' | 'stderr'): Promise<string>;
  /** Kills the process (SIGKILL) and waits for it to exit. */
  kill(): Promise<void>;
}

/**
 * Starts a Broker tool.
 * @param file - the executable
 * @param args - its arguments
 * @param env - extra environment (e.g. BROKER_PORT)
 */
export function startBroker(file: string, args: string[], env: Record<string, string> = {}): BrokerProcess {
  const child = spawn(file, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let exited = false;
  const waiters: Array<() => void> = [];
  const wake = (): void => {
    for (const w of waiters.splice(0)) w();
  };
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    wake();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    wake();
  });
  child.on('exit', () => {
    exited = true;
    wake();
  });
  child.stdin!.on('error', () => {}); // the tool may exit before reading its input
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    async waitForOutput(pattern: RegExp, stream: 'stdout' | 'stderr' = 'stdout'): Promise<string> {
      for (;;) {
        const text = stream === 'stdout' ? out : err;
        const m = pattern.exec(text);
        if (m) return m[0];
        if (exited) throw new Error(`${path.basename(file)} exited before printing ${pattern}; stdout: ${out.slice(-2000)} stderr: ${err.slice(-2000)}`);
        await new Promise<void>((r) => waiters.push(r));
      }
    },
    async kill(): Promise<void> {
      if (exited || child.exitCode !== null) return;
      const done = once(child, 'exit');
      child.kill('SIGKILL');
      await done;
    },
  };
}

/**
 * Connects raw TCP to `port` once something listens there: a refused connection is
 * retried when its error arrives, until the deadline.
 */
export async function connectWhenListening(port: number, deadlineMs = 30_000): Promise<net.Socket> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const socket = net.connect(port, '127.0.0.1');
    try {
      await once(socket, 'connect');
      return socket;
    } catch (e) {
      socket.destroy();
      if (Date.now() > end) throw e;
      await new Promise<void>((r) => setTimeout(r, 20));
    }
  }
}
