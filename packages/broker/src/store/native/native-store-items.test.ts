import { encodeBinary } from '@broker-ts/data';
import { NIL_ENDPOINT_ID } from '../../native/endpoint-id';
import { encodeInternalCommand } from '../../native/internal-command';
import type { OperationMessage } from '../../native/native-message';
import { encodeStorePayload } from '../store-payload';
import { isStoreItem, nativeCommandFrame, nativeCommandItem, nativeStoreItem } from './native-store-items';

const ME = '00000000-0000-4000-8000-0000000000a1';
const BROKER = 'ffffffff-ffff-4fff-bfff-ffffffffffb1';
const command = encodeInternalCommand({ seq: 0n, sender: { endpoint: BROKER, object: 7n }, receiver: { endpoint: NIL_ENDPOINT_ID, object: 0n }, content: { type: 'nack', seqs: [0n] } });

describe('store messages on wire items', () => {
  test('a COMMAND frame from a Broker peer is a store item that becomes the same COMMAND again for another Broker peer', () => {
    const frame: OperationMessage = { type: 'command', sender: BROKER, receiver: NIL_ENDPOINT_ID, ttl: 15, topic: 's/<$>/data/master', payload: command };
    const item = nativeCommandItem(frame);
    expect(isStoreItem(item)).toBe(true);
    expect(item[4]).toBe(15);
    expect(nativeCommandFrame(item, ME)).toEqual({ ...frame, sender: ME, payload: command });
  });

  test('a command of our store actor goes out to everyone on the topic; broker-ts\'s own store messages and data never become COMMANDs', () => {
    const item = nativeStoreItem('s/<$>/data/clone', command, 16);
    expect(nativeCommandFrame(item, ME)).toEqual({ type: 'command', sender: ME, receiver: NIL_ENDPOINT_ID, ttl: 16, topic: 's/<$>/data/clone', payload: command });
    const ours: typeof item = ['s/<$>/data/clone', encodeStorePayload({ type: 'heartbeat' }), null, 1, 16, null];
    expect(isStoreItem(ours)).toBe(true);
    expect(nativeCommandFrame(ours, ME)).toBeUndefined();
    const data: typeof item = ['/t', encodeBinary('x'), null, 1, 16, null];
    expect(isStoreItem(data)).toBe(false);
  });
});
