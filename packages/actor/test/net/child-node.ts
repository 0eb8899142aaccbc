/**
 * Starts the fixture node (`test/fixtures/net/node-process.ts`) in a real child process
 * and waits for its `ready <port> <nodeId>` line. No fixed sleeps: it resolves on that
 * line and rejects if the child exits first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as path from 'node:path';

/** A running child node. */
export interface ChildNode {
  /** The child process. */
  proc: ChildProcess;
  /** Port it listens on. */
  port: number;
  /** Its node id. */
  node: string;
  /** Resolves with the exit signal or code once the process has exited. */
  exited: Promise<NodeJS.Signals | number | null>;
  /** Stderr so far (for failure messages). */
  stderr(): string;
}

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'net', 'node-process.ts');

/**
 * Starts a child node.
 * @param env - extra environment (e.g. `HEARTBEAT_MS`)
 */
export async function startChildNode(env: Record<string, string> = {}): Promise<ChildNode> {
  const proc = spawn(process.execPath, ['--conditions=@broker-ts/source', '--require', require.resolve('tsx/cjs'), FIXTURE], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => proc.once('exit', (code, signal) => resolve(signal ?? code)));
  let out = '';
  const ready = new Promise<{ port: number; node: string }>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^ready (\d+) (\S+)$/m.exec(out);
      if (m) resolve({ port: Number(m[1]), node: m[2] });
    });
    void exited.then((how) => reject(new Error(`child node exited (${String(how)}) before it was ready: ${err}`)));
  });
  const { port, node } = await ready;
  return { proc, port, node, exited, stderr: () => err };
}

/** Kills a child with SIGKILL (if still running) and waits for it to be gone. */
export async function killChildNode(child: ChildNode): Promise<void> {
  if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
  await child.exited;
  child.proc.stdin?.destroy();
  child.proc.stdout?.destroy();
  child.proc.stderr?.destroy();
}

export { once };
