/**
 * The text of the endpoint ids and the topic of the last operation message read on one
 * stream. A peer sends frame after frame with the same sender, receiver (mostly the nil
 * id) and topic; with this cache a repeated one costs a comparison of its bytes instead
 * of a new string (hex, UUID text, UTF-8) per frame.
 */
import { ENDPOINT_ID_SIZE, endpointIdFromBytes } from './endpoint-id';

/** Topics longer than this are decoded every time rather than kept (bounds the cache). */
export const MAX_CACHED_TOPIC_SIZE = 256;

/** One remembered field: its bytes (a copy) and its text. */
class Slot {
  bytes: Buffer;
  length = -1;
  text = '';

  constructor(capacity: number) {
    this.bytes = Buffer.alloc(capacity);
  }

  /** Whether `src[from..from+n)` are the remembered bytes. */
  matches(src: Uint8Array, from: number, n: number): boolean {
    if (n !== this.length) return false;
    const b = this.bytes;
    for (let i = 0; i < n; i++) if (b[i] !== src[from + i]) return false;
    return true;
  }

  remember(src: Uint8Array, from: number, n: number, text: string): string {
    if (n > this.bytes.length) return text;
    for (let i = 0; i < n; i++) this.bytes[i] = src[from + i];
    this.length = n;
    this.text = text;
    return text;
  }
}

/** The last sender id, receiver id and topic of one stream of operation messages. */
export class OperationDecodeCache {
  private readonly senderSlot = new Slot(ENDPOINT_ID_SIZE);
  private readonly receiverSlot = new Slot(ENDPOINT_ID_SIZE);
  private readonly topicSlot = new Slot(MAX_CACHED_TOPIC_SIZE);

  /**
   * The UUID text of the sender id at `offset`.
   * @param src - the message bytes (at least 16 from `offset`)
   */
  sender(src: Uint8Array, offset: number): string {
    return idText(this.senderSlot, src, offset);
  }

  /**
   * The UUID text of the receiver id at `offset`.
   * @param src - the message bytes (at least 16 from `offset`)
   */
  receiver(src: Uint8Array, offset: number): string {
    return idText(this.receiverSlot, src, offset);
  }

  /**
   * The topic in `src[from..from+n)`, decoded as UTF-8 (invalid sequences become U+FFFD,
   * as `Buffer.toString` does).
   */
  topic(src: Uint8Array, from: number, n: number): string {
    const slot = this.topicSlot;
    if (slot.matches(src, from, n)) return slot.text;
    return slot.remember(src, from, n, Buffer.from(src.buffer, src.byteOffset + from, n).toString('utf8'));
  }
}

function idText(slot: Slot, src: Uint8Array, offset: number): string {
  if (slot.matches(src, offset, ENDPOINT_ID_SIZE)) return slot.text;
  return slot.remember(src, offset, ENDPOINT_ID_SIZE, endpointIdFromBytes(src, offset));
}
