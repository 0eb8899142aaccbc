import { EnvelopeKind, isUrgent, kindName } from './envelope';

describe('envelope kinds', () => {
  test('exit, down, kill and stop are urgent; messages, requests, responses and link control are not', () => {
    const urgent = [EnvelopeKind.Exit, EnvelopeKind.Down, EnvelopeKind.Kill, EnvelopeKind.Stop];
    for (let k = EnvelopeKind.Message; k <= EnvelopeKind.Demonitor; k++) expect(isUrgent(k)).toBe(urgent.includes(k));
  });

  test('kind numbers are the wire format and have stable names', () => {
    expect([EnvelopeKind.Message, EnvelopeKind.Request, EnvelopeKind.Response, EnvelopeKind.Demonitor]).toEqual([0, 1, 2, 11]);
    expect(kindName(EnvelopeKind.ErrorResponse)).toBe('error-response');
    expect(kindName(99 as EnvelopeKind)).toBe('invalid');
  });
});
