import { ErrorCode, errorCodeName, isErrorCodeName } from './error-code';
import { StatusCode, isStatusCodeName, statusCodeName } from './status-code';

describe('ErrorCode', () => {
  test('uses current Broker numbering: invalid_message 20, invalid_status 21, invalid_json 41', () => {
    expect(ErrorCode.none).toBe(0);
    expect(ErrorCode.peer_unavailable).toBe(4);
    expect(ErrorCode.type_clash).toBe(11);
    expect(ErrorCode.invalid_tag).toBe(19);
    expect(ErrorCode.invalid_message).toBe(20);
    expect(ErrorCode.invalid_status).toBe(21);
    expect(ErrorCode.conversion_failed).toBe(22);
    expect(ErrorCode.deserialization_failed).toBe(37);
    expect(ErrorCode.logic_error).toBe(40);
    expect(ErrorCode.invalid_json).toBe(41);
  });

  test('numbers 0..41 each name exactly one code', () => {
    const numbers = Object.values(ErrorCode).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 42 }, (_, i) => i));
    for (let i = 0; i <= 41; i++) expect(ErrorCode[errorCodeName(i)!]).toBe(i);
    expect(errorCodeName(42)).toBeUndefined();
    expect(errorCodeName(1.5)).toBeUndefined();
  });

  test('isErrorCodeName accepts names and rejects others, including inherited keys', () => {
    expect(isErrorCodeName('stale_data')).toBe(true);
    expect(isErrorCodeName('toString')).toBe(false);
    expect(isErrorCodeName('StaleData')).toBe(false);
  });
});

describe('StatusCode', () => {
  test('numbers unspecified 0 .. endpoint_unreachable 5', () => {
    expect(StatusCode).toEqual({ unspecified: 0, peer_added: 1, peer_removed: 2, peer_lost: 3, endpoint_discovered: 4, endpoint_unreachable: 5 });
    for (let i = 0; i <= 5; i++) expect(StatusCode[statusCodeName(i)!]).toBe(i);
    expect(statusCodeName(6)).toBeUndefined();
    expect(isStatusCodeName('peer_lost')).toBe(true);
    expect(isStatusCodeName('constructor')).toBe(false);
  });
});
