/**
 * A message as a lazy subscription receives it: the topic, and the value in Broker's
 * binary format, decoded into Broker values only when the subscriber reads it (once; the
 * result is kept). A consumer that routes, counts or forwards messages by topic, or
 * stores their bytes, pays nothing for decoding; one that reads the value gets exactly
 * what an eager subscription would have received.
 */
import { type Data, decodeBinary, encodeBinary } from '@broker-ts/data';

import type { DataMessage } from './message-reader';

// Local bindings of the per-message codec calls: see docs/architecture.md, "Local
// bindings on hot paths".
const decodeData = decodeBinary;
const encodeData = encodeBinary;

/** One message of a lazy subscription (`Endpoint.subscribeLazy`); see the file comment. */
export class LazyDataMessage {
  /** The encoded value, once known. */
  private encoded: Uint8Array | undefined;
  /** The decoded value, once known (`decoded` tells, since `null` is a value). */
  private decodedValue: Data | undefined;
  private decoded: boolean;

  /**
   * Made by the endpoint; at least one of `payload` and `value` is given.
   * @param topic - the message's topic
   * @param payload - the value in Broker's binary format
   * @param value - the value, when the endpoint decoded it already (a message of a
   *   native Broker peer, which is decoded at receipt; or one that an eager subscriber of
   *   the same topic needed)
   * @internal
   */
  constructor(
    readonly topic: string,
    payload: Uint8Array | undefined,
    value: Data | undefined,
  ) {
    this.encoded = payload;
    this.decodedValue = value;
    this.decoded = payload === undefined || value !== undefined;
  }

  /**
   * The value as Broker values, decoded on the first read.
   * @throws BrokerError as `decodeBinary` does (`deserialization_failed`, `invalid_tag`)
   *   when the payload is not a valid encoding: a peer sent bytes that are not Broker data
   *   (an eager subscription drops such a message and counts it in `stats().malformed`)
   */
  get value(): Data {
    if (!this.decoded) {
      this.decodedValue = decodeData(this.encoded!);
      this.decoded = true;
    }
    return this.decodedValue as Data;
  }

  /**
   * The value in Broker's binary format (`decodeBinary` reads it; Broker's data
   * messages carry it as is). It shares memory with the network buffer it arrived in:
   * copy it to keep a few bytes of a large batch. Do not modify it.
   */
  get payload(): Uint8Array {
    if (this.encoded === undefined) this.encoded = encodeData(this.decodedValue as Data);
    return this.encoded;
  }

  /** The message as an eager subscription gives it: `[topic, value]` (decodes it if not yet). */
  toDataMessage(): DataMessage {
    return [this.topic, this.value];
  }
}
