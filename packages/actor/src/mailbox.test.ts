import { ActorRef, type RefHost } from './actor-ref';
import { Envelope, EnvelopeKind } from './envelope';
import { ExitReasons } from './exit-reason';
import { Mailbox, PushResult } from './mailbox';

const host: RefHost = { tellFrom: () => undefined };
const to = new ActorRef('n', 1, host);
const msg = (n: number): Envelope => new Envelope(to, null, { type: 'm', n }, EnvelopeKind.Message, 0);
const urgent = (kind: EnvelopeKind): Envelope => new Envelope(to, null, ExitReasons.normal, kind, 0);

describe('Mailbox', () => {
  test('keeps ordinary envelopes in FIFO order', () => {
    const mb = new Mailbox();
    for (let i = 0; i < 5; i++) mb.push(msg(i));
    const out: unknown[] = [];
    for (let e = mb.shift(); e; e = mb.shift()) out.push((e.msg as { n: number }).n);
    expect(out).toEqual([0, 1, 2, 3, 4]);
  });

  test('hands out exit, down, kill and stop before ordinary envelopes, each lane in order', () => {
    const mb = new Mailbox();
    mb.push(msg(1));
    mb.push(urgent(EnvelopeKind.Down));
    mb.push(msg(2));
    mb.push(urgent(EnvelopeKind.Exit));
    mb.push(urgent(EnvelopeKind.Kill));
    mb.push(urgent(EnvelopeKind.Stop));
    expect(mb.size).toBe(6);
    const kinds: EnvelopeKind[] = [];
    for (let e = mb.shift(); e; e = mb.shift()) kinds.push(e.kind);
    expect(kinds).toEqual([EnvelopeKind.Down, EnvelopeKind.Exit, EnvelopeKind.Kill, EnvelopeKind.Stop, EnvelopeKind.Message, EnvelopeKind.Message]);
  });

  test('a bound rejects ordinary envelopes beyond capacity but never urgent ones', () => {
    const mb = new Mailbox(2);
    expect(mb.push(msg(1))).toBe(PushResult.Queued);
    expect(mb.push(msg(2))).toBe(PushResult.Queued);
    expect(mb.push(msg(3))).toBe(PushResult.Full);
    expect(mb.push(urgent(EnvelopeKind.Exit))).toBe(PushResult.Queued);
    expect(mb.size).toBe(3);
  });

  test('close returns what was pending and refuses further envelopes', () => {
    const mb = new Mailbox();
    mb.push(msg(1));
    mb.push(urgent(EnvelopeKind.Down));
    expect(mb.close().map((e) => e.kind)).toEqual([EnvelopeKind.Down, EnvelopeKind.Message]);
    expect(mb.closed).toBe(true);
    expect(mb.push(msg(2))).toBe(PushResult.Closed);
    expect(mb.size).toBe(0);
  });
});
