/**
 * @broker-ts/data: Broker's data model. The 15 types and their JS mapping, Broker's total
 * order, the text format, the binary format (byte-compatible with Broker), the WebSocket
 * JSON v1 format, and a cbor-x extension for carrying Broker values in actor messages.
 * @packageDocumentation
 */
export { Address, address } from './address';
export { BrokerError, type BrokerErrorContext } from './broker-error';
export { BrokerSet, set, BrokerTable, table } from './containers';
export {
  BROKER_CBOR_TAGS,
  BROKER_ERROR_CBOR_TAG,
  type CborExtension,
  type CborEncoderOptions,
  cborEncoderOptions,
  cborExtensions,
  installCborExtensions,
} from './cbor-extension';
export { compare, equals } from './compare';
export { Count, count, COUNT_MAX } from './count';
export type { Data, DataInput } from './data';
export { decodeBinary } from './decode-binary';
export { decodeJson, decodeJsonDataMessage } from './decode-json';
export { encodeBinary, encodeExactBinary } from './encode-binary';
export { encodeJson, encodeJsonDataMessage } from './encode-json';
export { EnumValue, enumValue } from './enum-value';
export { ErrorCode, type ErrorCodeName, errorCodeName, isErrorCodeName } from './error-code';
export { errorFromData, errorToData } from './error-data';
export { formatReal } from './format-real';
export { INT64_MAX, INT64_MIN } from './int64';
export { MAX_NESTING_DEPTH } from './max-nesting-depth';
export { Port, port, PORT_PROTOCOLS, type PortProtocol } from './port';
export { StatusCode, type StatusCodeName, statusCodeName, isStatusCodeName } from './status-code';
export { Subnet, subnet } from './subnet';
export { Timespan, timespan } from './timespan';
export { Timestamp, timestamp } from './timestamp';
export { toData } from './to-data';
export { toString } from './to-string';
export { DATA_TYPE_NAMES, type DataTypeName, typeOf } from './type-of';
