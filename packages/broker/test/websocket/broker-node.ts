/**
 * Starts the newest Broker's `broker-node` with its WebSocket port open, for the live
 * tests and the capture script (the build is found as tools/requirements.ts says).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import WebSocket from 'ws';
import { freePort } from '../../../../tools/reference-broker';

/** A running broker-node. */
export interface BrokerNode {
  proc: ChildProcess;
  /** Its WebSocket port. */
  wsPort: number;
  /** Stops it and waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Starts broker-node (the `binary`) in relay mode on `topics`, plain TCP, with a fixed
 * endpoint id when given, and waits until its WebSocket port answers.
 */
export async function startBrokerNode(binary: string, topics: string[], endpointId?: string): Promise<BrokerNode> {
  const wsPort = await freePort();
  const args = ['--disable-ssl', '-t', JSON.stringify(topics).replace(/^\[|\]$/g, '')];
  if (endpointId !== undefined) args.push(`--endpoint-id=${endpointId}`);
  const proc = spawn(binary, args, { env: { ...process.env, BROKER_WEB_SOCKET_PORT: `${wsPort}/tcp` }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${wsPort}/v1/messages/json`);
      ws.on('open', () => {
        ws.terminate();
        resolve(true);
      });
      ws.on('error', () => resolve(false));
    });
    if (up) break;
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`broker-node did not open its WebSocket port (exit ${proc.exitCode}): ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    proc,
    wsPort,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
        setTimeout(() => proc.kill('SIGKILL'), 5000).unref();
      }),
  };
}
