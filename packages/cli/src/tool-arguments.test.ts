import {
  ArgumentError, collectList, MAX_PAYLOAD_SIZE, parseCountArg, parseDurationArg, parseHostArg, parseHostPort, parseHostPortArg, parsePayloadSizeArg, parsePeerUri, parsePeerUriArg, parsePortArg,
} from './tool-arguments';

describe('tool arguments', () => {
  it('ports: plain numbers and Zeek notation; anything else is an ArgumentError naming the value', () => {
    expect(parsePortArg('9999')).toBe(9999);
    expect(parsePortArg('9999/tcp')).toBe(9999);
    expect(parsePortArg('0')).toBe(0);
    for (const bad of ['70000', '-1', 'http', '99/sctp', '', '1.5']) {
      expect(() => parsePortArg(bad)).toThrow(ArgumentError);
      expect(() => parsePortArg(bad)).toThrow(`got "${bad}"`);
    }
  });

  it('a ping payload size is a count of at most MAX_PAYLOAD_SIZE bytes', () => {
    expect(parsePayloadSizeArg('0')).toBe(0);
    expect(parsePayloadSizeArg(String(MAX_PAYLOAD_SIZE))).toBe(MAX_PAYLOAD_SIZE);
    for (const bad of [String(MAX_PAYLOAD_SIZE + 1), '9999999999', '-1', 'x']) expect(() => parsePayloadSizeArg(bad)).toThrow(ArgumentError);
  });

  it('durations in CAF notation become milliseconds; a bare number has no unit and is refused', () => {
    expect(parseDurationArg('250ms')).toBe(250);
    expect(parseDurationArg('1.5s')).toBe(1500);
    expect(parseDurationArg('2min')).toBe(120_000);
    expect(parseDurationArg('1h')).toBe(3_600_000);
    expect(parseDurationArg('500us')).toBe(0.5);
    // A number of so many digits that it is Infinity is refused too, not handed on.
    for (const bad of ['250', 'ms', '1d', '-1s', `1${'0'.repeat(400)}ms`]) expect(() => parseDurationArg(bad)).toThrow(ArgumentError);
  });

  it('counts are non-negative integers', () => {
    expect(parseCountArg('42')).toBe(42);
    for (const bad of ['-1', '1.5', 'x', '']) expect(() => parseCountArg(bad)).toThrow(ArgumentError);
  });

  it('bind addresses: any host name or address, but not an empty one (which would bind every interface)', () => {
    expect(parseHostArg('0.0.0.0')).toBe('0.0.0.0');
    expect(parseHostArg('::1')).toBe('::1');
    for (const bad of ['', ' ']) expect(() => parseHostArg(bad)).toThrow(new ArgumentError(`expected a host name or address, got "${bad}"`));
  });

  it('lists: repeated, comma-separated and CAF notation all add up, quotes and blanks dropped', () => {
    let list = collectList('/a', undefined);
    list = collectList('/b,/c', list);
    list = collectList('["/d", \'/e\',]', list);
    expect(list).toEqual(['/a', '/b', '/c', '/d', '/e']);
  });

  it('peer addresses: tcp:// URIs for broker-node, host:port for broker-pipe, IPv6 in brackets', () => {
    expect(parsePeerUri('tcp://127.0.0.1:9999')).toEqual({ host: '127.0.0.1', port: 9999 });
    expect(parsePeerUri('tcp://[::1]:9999')).toEqual({ host: '::1', port: 9999 });
    expect(parsePeerUri('tcp://example.org:1/')).toEqual({ host: 'example.org', port: 1 });
    for (const bad of ['udp://h:1', 'tcp://h', '127.0.0.1:9999', 'tcp://h:70000', 'tcp://h:0']) expect(parsePeerUri(bad)).toBeUndefined();
    expect(parseHostPort('localhost:9999')).toEqual({ host: 'localhost', port: 9999 });
    expect(parseHostPort('[::1]:9999')).toEqual({ host: '::1', port: 9999 });
    for (const bad of ['localhost', ':9999', 'h:', 'h:70000', '::1:9999', 'h:0']) expect(parseHostPort(bad)).toBeUndefined();
  });

  it('peer addresses as option values: a bad one is an ArgumentError naming the value and what is wrong with it', () => {
    expect(parsePeerUriArg('tcp://[::1]:9999/')).toEqual({ host: '::1', port: 9999 });
    expect(parseHostPortArg('127.0.0.1:1')).toEqual({ host: '127.0.0.1', port: 1 });
    const cases: Array<[(text: string) => unknown, string, Array<[string, string]>]> = [
      [
        parsePeerUriArg,
        'tcp://<host>:<port>',
        [
          ['127.0.0.1:9999', 'no tcp:// scheme'],
          ['udp://h:1', 'the scheme must be tcp, not udp'],
          ['tcp://h', 'no port'],
          ['tcp://:9999', 'no host'],
          ['tcp://h:x', 'the port "x" is not a number'],
          // A peer needs a port to connect to: 0 (which picks one when listening) is none.
          ['tcp://127.0.0.1:0', 'the port must be 1..65535, not 0'],
          ['tcp://127.0.0.1:99999', 'the port must be 1..65535, not 99999'],
        ],
      ],
      [
        parseHostPortArg,
        '<host>:<port>',
        [
          ['localhost', 'no port'],
          [':9999', 'no host'],
          ['::1:9999', 'an IPv6 address goes in brackets ([::1]:9999)'],
          ['127.0.0.1:0', 'the port must be 1..65535, not 0'],
          ['127.0.0.1:70000', 'the port must be 1..65535, not 70000'],
        ],
      ],
    ];
    for (const [parse, form, bads] of cases) {
      for (const [bad, why] of bads) {
        expect(() => parse(bad)).toThrow(ArgumentError);
        expect(() => parse(bad)).toThrow(`expected ${form}, got "${bad}": ${why}`);
      }
    }
  });
});
