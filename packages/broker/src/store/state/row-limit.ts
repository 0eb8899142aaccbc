import { encodeBinary, type Data } from '@broker-ts/data';
import { PEER_MESSAGE_MAX_BYTES } from '../../peer-protocol';
import { approximateSize } from './approximate-size';
import type { WriteCommand } from './write-command';

/**
 * The most bytes a store row may have, its key's and its value's Broker binary encodings
 * together. A change travels to a broker-ts clone as one store message in one peer
 * message, which holds at most {@link PEER_MESSAGE_MAX_BYTES}; this leaves 64 KiB of
 * that for the message's own fields (store name, entities, sequence numbers). A master
 * refuses a write whose row would be larger (its backend checks the encodings it
 * writes), and a clone refuses one before it sends it, so that no change is made that
 * a clone could never receive.
 */
export const STORE_ROW_MAX_BYTES = PEER_MESSAGE_MAX_BYTES - 64 * 1024;

/**
 * The bytes a clone's write carries (its key's and value's encodings) when they may be
 * more than `limit`, or 0 when they are surely within it. A Broker value's encoding is
 * at most 1.5 times its {@link approximateSize} (a string: 3 UTF-8 bytes per UTF-16 unit
 * and a 6-byte header against 16 + 2 bytes a unit; every other kind well below), so only
 * a write estimated above two thirds of the limit is encoded to be measured.
 * @param cmd - the write
 * @param limit - the row limit in bytes
 * @returns the exact encoded bytes of key and value, or 0
 */
export function writeBytesOver(cmd: WriteCommand, limit: number): number {
  const key: Data | undefined = 'key' in cmd ? cmd.key : undefined;
  const value: Data | undefined = 'value' in cmd ? cmd.value : undefined;
  if (key === undefined && value === undefined) return 0;
  const estimate = (key === undefined ? 0 : approximateSize(key)) + (value === undefined ? 0 : approximateSize(value));
  if (estimate * 1.5 <= limit) return 0;
  const bytes = (key === undefined ? 0 : encodeBinary(key).length) + (value === undefined ? 0 : encodeBinary(value).length);
  return bytes > limit ? bytes : 0;
}
