import { DEFAULT_CHANNEL_OPTIONS, resolveChannelOptions } from './channel-options';

describe('channel options', () => {
  test("default to Broker's defaults::store (heartbeat 5 ticks, NACK timeout 2, connection timeout 100)", () => {
    expect(resolveChannelOptions()).toEqual(DEFAULT_CHANNEL_OPTIONS);
    expect(DEFAULT_CHANNEL_OPTIONS).toMatchObject({ heartbeatInterval: 5, nackTimeout: 2, connectionTimeout: 100 });
  });

  test('take overrides and refuse anything but positive integers', () => {
    expect(resolveChannelOptions({ nackTimeout: 7 }).nackTimeout).toBe(7);
    for (const v of [0, -1, 1.5, Number.NaN, '5']) expect(() => resolveChannelOptions({ connectionTimeout: v as number })).toThrow(expect.objectContaining({ code: 'invalid_data' }));
  });
});
