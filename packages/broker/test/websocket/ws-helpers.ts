/**
 * Helpers of the WebSocket tests: a raw `ws` client that records every frame and the
 * close, so tests can read the server's exact text. Every wait is for an event.
 */
import WebSocket from 'ws';

/** A raw WebSocket client with a queue of received text frames. */
export class RawClient {
  readonly frames: string[] = [];
  closed: { code: number; reason: string } | undefined;
  private waiters: Array<() => void> = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      this.frames.push(isBinary ? `<binary ${(data as Buffer).length}>` : data.toString());
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
    ws.on('error', () => this.wake());
  }

  /** Opens a connection to `ws://127.0.0.1:port/v1/messages/json` (or another path). */
  static open(port: number, path = '/v1/messages/json', options: WebSocket.ClientOptions = {}): Promise<RawClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { perMessageDeflate: false, ...options });
    const client = new RawClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  /** Opens, sends the subscription list and waits for the ack. */
  static async subscribe(port: number, topics: string[]): Promise<RawClient> {
    const c = await RawClient.open(port);
    c.ws.send(JSON.stringify(topics));
    const ack = await c.next();
    if (!ack.startsWith('{"type":"ack"')) throw new Error(`expected an ack, got ${ack}`);
    return c;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Waits until `cond` holds, re-checked on each frame or close. */
  async until(cond: () => boolean, what: string, deadlineMs = 20_000): Promise<void> {
    const end = Date.now() + deadlineMs;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; frames: ${this.frames.slice(-3).join(' | ')}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200).unref();
      });
    }
  }

  /** The next frame not read yet. */
  private read = 0;
  async next(): Promise<string> {
    await this.until(() => this.frames.length > this.read || this.closed !== undefined, 'a frame');
    if (this.frames.length <= this.read) throw new Error(`connection closed: ${JSON.stringify(this.closed)}`);
    return this.frames[this.read++];
  }

  /** Waits for the close and returns its code and reason. */
  async closedWith(deadlineMs = 20_000): Promise<{ code: number; reason: string }> {
    await this.until(() => this.closed !== undefined, 'the close', deadlineMs);
    return this.closed!;
  }

  close(): void {
    this.ws.close();
  }
}
