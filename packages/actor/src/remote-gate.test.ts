import { ActorRef, type RefHost } from './actor-ref';
import { Envelope, EnvelopeKind } from './envelope';
import { ExitReasons } from './exit-reason';
import { screenRemote, type RemoteGateHost } from './remote-gate';

/*
 * The gate in front of envelopes from untrusted nodes, fed envelopes without I/O. The
 * local node `L` has actor 1 open to `ping` only, actor 2 open to everything, actor 3
 * closed; node `R` sent everything below and has request 7 pending from L.
 */
const refs: RefHost = { tellFrom() {} };
const ref = (node: string, id: number): ActorRef => new ActorRef(node, id, refs);
const host: RemoteGateHost = {
  nodeId: 'L',
  actorFor: (id) =>
    ({
      1: { remotelyReachable: true, acceptsRemoteType: (t: string) => t === 'ping' },
      2: { remotelyReachable: true, acceptsRemoteType: (t: string) => t !== 'down' },
      3: { remotelyReachable: false, acceptsRemoteType: () => false },
    })[id],
  serviceIsRemote: (type) => type === 'whereis',
  requestNode: (rid) => (rid === 7 ? 'R' : undefined),
};
const env = (to: ActorRef, msg: unknown, kind: EnvelopeKind, from: ActorRef | null = ref('R', 9), rid = 0): Envelope => new Envelope(to, from, msg, kind, rid);
const screen = (e: Envelope) => screenRemote(host, 'R', e);

test('an accepted type to an open actor passes; other types, closed and unknown actors do not', () => {
  expect(screen(env(ref('L', 1), { type: 'ping' }, EnvelopeKind.Message))).toBeUndefined();
  expect(screen(env(ref('L', 1), { type: 'ping' }, EnvelopeKind.Request))).toBeUndefined();
  expect(screen(env(ref('L', 1), { type: 'shutdown' }, EnvelopeKind.Message))).toBe('type_refused');
  expect(screen(env(ref('L', 1), 'no type', EnvelopeKind.Message))).toBe('type_refused');
  expect(screen(env(ref('L', 3), { type: 'ping' }, EnvelopeKind.Message))).toBe('not_reachable');
  expect(screen(env(ref('L', 99), { type: 'ping' }, EnvelopeKind.Message))).toBe('not_reachable');
});

test('a sender of another node, or an envelope for another node, is refused', () => {
  expect(screen(env(ref('L', 1), { type: 'ping' }, EnvelopeKind.Message, ref('X', 1)))).toBe('forged_sender');
  expect(screen(env(ref('X', 1), { type: 'ping' }, EnvelopeKind.Message))).toBe('not_routed');
});

test('kill, stop and link are refused even for open actors; unlink and monitor pass for open ones only', () => {
  for (const kind of [EnvelopeKind.Kill, EnvelopeKind.Stop, EnvelopeKind.Link]) expect(screen(env(ref('L', 2), ExitReasons.kill, kind))).toBe('kind_refused');
  expect(screen(env(ref('L', 2), null, EnvelopeKind.Monitor))).toBeUndefined();
  expect(screen(env(ref('L', 2), null, EnvelopeKind.Unlink))).toBeUndefined();
  expect(screen(env(ref('L', 3), null, EnvelopeKind.Monitor))).toBe('not_reachable');
  expect(screen(env(ref('L', 2), null, EnvelopeKind.Monitor, null))).toBe('forged_sender');
});

test('EXIT and DOWN pass only with a well-formed exit reason', () => {
  expect(screen(env(ref('L', 3), ExitReasons.error(new Error('x')), EnvelopeKind.Down))).toBeUndefined();
  expect(screen(env(ref('L', 3), ExitReasons.unreachable('Q'), EnvelopeKind.Exit))).toBeUndefined();
  for (const bad of [null, 'normal', { kind: 'bogus' }, { kind: 'unreachable' }]) expect(screen(env(ref('L', 3), bad, EnvelopeKind.Exit))).toBe('malformed');
});

test('responses pass only for a request pending towards that node', () => {
  expect(screen(env(ref('L', 0), 1, EnvelopeKind.Response, ref('R', 9), 7))).toBeUndefined();
  expect(screen(env(ref('L', 0), 1, EnvelopeKind.ErrorResponse, ref('R', 9), 8))).toBe('unknown_request');
  expect(screenRemote(host, 'Q', env(ref('L', 0), 1, EnvelopeKind.Response, ref('Q', 9), 7))).toBe('unknown_request');
});

test('node services pass only when registered as remote', () => {
  expect(screen(env(ref('L', 0), { type: 'whereis', name: 'x' }, EnvelopeKind.Request))).toBeUndefined();
  expect(screen(env(ref('L', 0), { type: 'spawn' }, EnvelopeKind.Request))).toBe('service_refused');
});
