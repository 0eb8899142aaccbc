/**
 * Drives `python-store.py`: a Broker master or clone of store "s" in a child process
 * (Broker's Python bindings, memory backend), one JSON command per line in, one JSON
 * line per result and per store event out.
 */
import * as path from 'node:path';
import { type BrokerProcess, type ReferenceBroker, startBroker } from '../../../../tools/reference-broker';

/** A JSON line the script printed. */
type Line = { ready?: boolean; port?: number; id?: string; event?: unknown[]; done?: string; result?: unknown };

/** A Broker store in a Python process. */
export class PythonStore {
  /** The process. */
  readonly proc: BrokerProcess;
  private readonly lines: Line[] = [];
  private readonly waiters: Array<() => void> = [];
  private buffered = '';
  private exited = false;
  private sent = 0;

  /**
   * @param broker - the reference build (its Python bindings)
   * @param role - `master` (listens on `port`, 0: any) or `clone` (peers with `port`)
   * @param port - see role
   * @param tls - Broker's default TLS instead of plain TCP
   */
  constructor(broker: ReferenceBroker, role: 'master' | 'clone', port: number, tls = false) {
    const args = [path.join(__dirname, 'python-store.py'), role, String(port), ...(tls ? ['tls'] : [])];
    this.proc = startBroker('python3', args, { PYTHONPATH: broker.python ?? '' });
    this.proc.child.stdout!.on('data', (d: Buffer) => {
      this.buffered += d.toString();
      let nl: number;
      while ((nl = this.buffered.indexOf('\n')) >= 0) {
        const text = this.buffered.slice(0, nl).trim();
        this.buffered = this.buffered.slice(nl + 1);
        if (text.startsWith('{')) this.lines.push(JSON.parse(text) as Line);
      }
      this.wake();
    });
    this.proc.child.on('exit', () => {
      this.exited = true;
      this.wake();
    });
  }

  /** The store events printed so far, in order. */
  get events(): unknown[][] {
    return this.lines.flatMap((l) => (l.event === undefined ? [] : [l.event]));
  }

  /** Waits for the `ready` line: the port listened on and the endpoint id. */
  async ready(): Promise<{ port: number; id: string }> {
    const line = await this.waitFor((l) => l.ready === true);
    return { port: line.port!, id: line.id! };
  }

  /**
   * Runs one command and returns its result.
   * @param op - the operation (see python-store.py)
   * @param args - its arguments (values in the script's JSON form)
   */
  async run(op: string, args: Record<string, unknown> = {}): Promise<unknown> {
    const n = ++this.sent;
    this.proc.child.stdin!.write(`${JSON.stringify({ op, ...args })}\n`);
    const line = await this.waitFor((l) => l.done !== undefined && this.doneIndex(l) === n);
    return line.result;
  }

  /** Waits until a store event satisfies `pred`; returns it. */
  async event(pred: (ev: unknown[]) => boolean): Promise<unknown[]> {
    const line = await this.waitFor((l) => l.event !== undefined && pred(l.event));
    return line.event!;
  }

  /** Re-runs `op` until its result satisfies `pred` (a condition the other side makes true). */
  async poll(op: string, args: Record<string, unknown>, pred: (result: unknown) => boolean, deadlineMs = 30_000): Promise<unknown> {
    const end = Date.now() + deadlineMs;
    for (;;) {
      const r = await this.run(op, args);
      if (pred(r)) return r;
      if (Date.now() > end) throw new Error(`python ${op} ${JSON.stringify(args)} never satisfied the condition; last result ${JSON.stringify(r)}`);
    }
  }

  /** Kills the process (SIGKILL). */
  kill(): Promise<void> {
    return this.proc.kill();
  }

  private doneIndex(line: Line): number {
    let n = 0;
    for (const l of this.lines) {
      if (l.done !== undefined) n++;
      if (l === line) return n;
    }
    return -1;
  }

  private async waitFor(pred: (l: Line) => boolean): Promise<Line> {
    let checked = 0;
    for (;;) {
      for (; checked < this.lines.length; checked++) if (pred(this.lines[checked])) return this.lines[checked];
      if (this.exited) throw new Error(`python-store.py exited; stderr: ${this.proc.stderr().slice(-2000)}`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
