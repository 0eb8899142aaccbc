/**
 * Drives `python-endpoint.py`: a Broker endpoint of the newest Broker's Python bindings,
 * commanded line by line, whose statuses, errors and received messages come back as
 * lines. Every wait is for a line.
 */
import * as path from 'node:path';
import { type BrokerProcess, type ReferenceBroker, startBroker } from '../../../../tools/reference-broker';

/** A status, error or data line of the Python endpoint, split. */
export interface PyEvent {
  kind: 'status' | 'error' | 'data';
  /** Status or error code, or the topic of a data line. */
  code: string;
  /** The rest of the line. */
  rest: string;
}

/** A running Python Broker endpoint. */
export class PyEndpoint {
  /** Lines read so far. */
  private seen = 0;

  private constructor(readonly proc: BrokerProcess) {}

  /**
   * Starts one.
   * @param broker - the reference build (its Python bindings)
   * @param args - `--disable-ssl`, `--cert F --key F --cafile F [--passphrase P]`
   */
  static start(broker: ReferenceBroker, args: string[] = []): PyEndpoint {
    const proc = startBroker('python3', [path.join(__dirname, 'python-endpoint.py'), ...args], { PYTHONPATH: broker.python ?? '' });
    return new PyEndpoint(proc);
  }

  /** Every line so far. */
  lines(): string[] {
    return this.proc.stdout().split('\n').filter((l) => l !== '');
  }

  /** The status, error and data lines so far. */
  events(): PyEvent[] {
    const out: PyEvent[] = [];
    for (const line of this.lines()) {
      const m = /^(status|error|data) (\S+) ?(.*)$/.exec(line);
      if (m) out.push({ kind: m[1] as PyEvent['kind'], code: m[2], rest: m[3] });
    }
    return out;
  }

  /** The status and error codes so far, in order. */
  statusCodes(): string[] {
    return this.events()
      .filter((e) => e.kind !== 'data')
      .map((e) => e.code);
  }

  /** Sends a command and resolves with its answer (the next line starting with `answer`). */
  async command(line: string, answer: string): Promise<string> {
    const from = this.lines().length;
    this.proc.child.stdin!.write(`${line}\n`);
    return this.waitFor((l) => l.startsWith(answer), from);
  }

  /** Resolves with the first line from index `from` on that `pred` accepts. */
  async waitFor(pred: (line: string) => boolean, from = 0): Promise<string> {
    for (;;) {
      const lines = this.lines();
      for (let i = from; i < lines.length; i++) if (pred(lines[i])) return lines[i];
      await this.more();
    }
  }

  /** Resolves on the next output; rejects once the process exited. */
  private more(): Promise<void> {
    const child = this.proc.child;
    if (child.exitCode !== null || child.signalCode !== null) return Promise.reject(new Error(`python endpoint exited: ${this.proc.stderr().slice(-2000)}`));
    return new Promise((resolve, reject) => {
      const onData = (): void => {
        cleanup();
        resolve();
      };
      const onExit = (): void => {
        cleanup();
        reject(new Error(`python endpoint exited: ${this.proc.stderr().slice(-2000)}`));
      };
      const cleanup = (): void => {
        child.stdout!.off('data', onData);
        child.off('exit', onExit);
      };
      child.stdout!.on('data', onData);
      child.on('exit', onExit);
    });
  }

  /** Resolves once a status or error with `code` arrived (counting from the `nth` such one, 1-based). */
  async waitForEvent(code: string, nth = 1): Promise<PyEvent> {
    for (;;) {
      const hits = this.events().filter((e) => e.kind !== 'data' && e.code === code);
      if (hits.length >= nth) return hits[nth - 1];
      await this.more();
    }
  }

  /** Resolves once a data line on `topic` arrived; returns its value text. */
  async waitForData(topic: string): Promise<string> {
    const line = await this.waitFor((l) => l.startsWith(`data ${topic} `));
    return line.slice(`data ${topic} `.length);
  }

  /** Listens on a free port of 127.0.0.1. */
  async listen(): Promise<number> {
    return Number((await this.command('listen', 'listening')).split(' ')[1]);
  }

  /** Stops the process. */
  async kill(): Promise<void> {
    await this.proc.kill();
  }
}
