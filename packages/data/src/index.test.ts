import * as data from '@broker-ts/data';

test('the package entry exports the names of the documented contract (docs/data-model.md)', () => {
  for (const name of [
    'Count', 'Address', 'Subnet', 'Port', 'Timestamp', 'Timespan', 'EnumValue', 'BrokerSet', 'BrokerTable', 'BrokerError',
    'count', 'address', 'subnet', 'port', 'timestamp', 'timespan', 'enumValue', 'set', 'table',
    'typeOf', 'compare', 'equals', 'toString', 'encodeBinary', 'decodeBinary', 'encodeJson', 'decodeJson',
    'ErrorCode', 'StatusCode', 'errorToData', 'errorFromData',
  ]) {
    expect(typeof (data as Record<string, unknown>)[name]).not.toBe('undefined');
  }
});
