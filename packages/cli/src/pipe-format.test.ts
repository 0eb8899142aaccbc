import { address, BrokerError, count, port, set } from '@broker-ts/broker';

import { formatPipeMessage, parsePipeLine } from './pipe-format';

describe('broker-pipe line formats', () => {
  it("prints Broker's text format as data(<topic>, <value>)", () => {
    expect(formatPipeMessage('/t', 'hello world', false)).toBe('data(/t, hello world)');
    expect(formatPipeMessage('/t', [count(1), address('10.0.0.1'), set([port(53, 'udp')])], false)).toBe('data(/t, (1, 10.0.0.1, {53/udp}))');
  });

  it('prints JSON v1 data messages that read back to the same topic and value', () => {
    const line = formatPipeMessage('/t/x', [count(7), 1.5], true);
    expect(JSON.parse(line)).toEqual({ type: 'data-message', topic: '/t/x', '@data-type': 'vector', data: [{ '@data-type': 'count', data: 7 }, { '@data-type': 'real', data: 1.5 }] });
    expect(parsePipeLine(line, '/other', true)).toEqual(['/t/x', [count(7), 1.5]]);
  });

  it('reads a line as a string, or with --json as a bare JSON v1 value on the given topic', () => {
    expect(parsePipeLine('{"not": "parsed"}', '/t', false)).toEqual(['/t', '{"not": "parsed"}']);
    expect(parsePipeLine('{"@data-type":"port","data":"80/tcp"}', '/t', true)).toEqual(['/t', port(80, 'tcp')]);
  });

  it('refuses lines that are not JSON v1 with a BrokerError', () => {
    expect(() => parsePipeLine('not json', '/t', true)).toThrow(BrokerError);
    expect(() => parsePipeLine('{"data":1}', '/t', true)).toThrow(BrokerError);
    expect(() => parsePipeLine('{"type":"data-message","topic":5,"@data-type":"count","data":1}', '/t', true)).toThrow(BrokerError);
  });
});
