import { addExtension, type Options } from 'cbor-x';
import { Address } from './address';
import { BrokerError } from './broker-error';
import { BrokerSet } from './broker-set';
import { BrokerTable } from './broker-table';
import { Count } from './count';
import type { Data } from './data';
import { decodeBinary } from './decode-binary';
import { encodeBinaryView } from './encode-binary';
import { EnumValue } from './enum-value';
import { Port } from './port';
import { Subnet } from './subnet';
import { Timespan } from './timespan';
import { Timestamp } from './timestamp';

/**
 * The CBOR tag (unregistered, first-come range) that marks a Broker value of one of the
 * classes of this package. Its content is a byte string holding the value in Broker's
 * binary data format, so it survives any cbor-x decoder options unchanged.
 */
export const BROKER_CBOR_TAG = 0x4272; // "Br"

/** The CBOR tag of a {@link BrokerError}: a byte string holding `toData()` in binary. */
export const BROKER_ERROR_CBOR_TAG = 0x4273;

/** A cbor-x extension as `addExtension` takes it. */
export interface CborExtension {
  /** The class whose instances this extension writes. */
  Class: new (...args: never[]) => unknown;
  /** The CBOR tag it writes and reads. */
  tag: number;
  /** Writes the tag content through cbor-x's `encode`. */
  encode(value: unknown, encode: (content: unknown) => unknown): void;
  /** Rebuilds the value from the tag content. */
  decode(content: unknown): unknown;
}

function bytesOf(content: unknown, what: string): Uint8Array {
  if (!(content instanceof Uint8Array)) {
    throw new BrokerError('deserialization_failed', `CBOR tag for a ${what} must hold a byte string`);
  }
  return content;
}

function dataExtension(Class: CborExtension['Class']): CborExtension {
  return {
    Class,
    tag: BROKER_CBOR_TAG,
    encode(value, encode) {
      // The view is copied by cbor-x at once, before anything else encodes.
      encode(encodeBinaryView(value as Data));
    },
    decode(content) {
      return decodeBinary(bytesOf(content, 'Broker value'));
    },
  };
}

/**
 * The cbor-x extensions that carry Broker values: one per class of this package, all on
 * {@link BROKER_CBOR_TAG}, plus {@link BrokerError} on {@link BROKER_ERROR_CBOR_TAG}.
 * Broker values that are JS primitives or arrays need no extension (see
 * {@link cborEncoderOptions}).
 */
export const cborExtensions: readonly CborExtension[] = [
  ...[Count, Address, Subnet, Port, Timestamp, Timespan, EnumValue, BrokerSet, BrokerTable].map(dataExtension),
  {
    Class: BrokerError,
    tag: BROKER_ERROR_CBOR_TAG,
    encode(value, encode) {
      encode(encodeBinaryView((value as BrokerError).toData()));
    },
    decode(content) {
      return BrokerError.fromData(decodeBinary(bytesOf(content, 'BrokerError')));
    },
  },
];

/**
 * cbor-x `Encoder`/`Decoder` options that a runtime carrying Broker values must use:
 * `alwaysUseFloat` writes every JS number as a float64, so a Broker real `-0` stays `-0`
 * (cbor-x otherwise writes `-0` as the integer 0). Do not set `int64AsNumber`: cbor-x
 * writes every `bigint` (a Broker integer) as a 64-bit CBOR integer and reads those back
 * as `bigint` only without it.
 */
export const cborEncoderOptions: Readonly<Options> = Object.freeze({ alwaysUseFloat: true });

let installed = false;

/**
 * Registers {@link cborExtensions} with cbor-x (its registry is global to the module, so
 * every `Encoder` and `Decoder` of the process then carries Broker values). Idempotent.
 */
export function installCborExtensions(): void {
  if (installed) return;
  for (const ext of cborExtensions) addExtension(ext as Parameters<typeof addExtension>[0]);
  installed = true;
}
