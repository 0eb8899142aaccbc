/**
 * The control messages of Broker's WebSocket JSON API (`ack` and `error`), written as
 * Broker writes them (`libbroker/broker/internal/json_client.cc`, `render_ack` and
 * `render_error`): compact, keys in a fixed order, strings escaped like data strings.
 */
import { encodeJson } from '@broker-ts/data';

/** The path Broker serves its JSON API on. */
export const WEB_SOCKET_JSON_PATH = '/v1/messages/json';

/** A JSON string literal with Broker's escaping (`format/json.hh`, `append_field`). */
export function quoteJsonString(text: string): string {
  const typed = encodeJson(text); // {"@data-type":"string","data":"…"}
  return typed.slice(typed.indexOf('"data":') + 7, -1);
}

/**
 * The `ack` that answers a client's subscription list.
 * @param endpoint - the endpoint id
 * @param version - the version text Broker reports
 */
export function renderAck(endpoint: string, version: string): string {
  return `{"type":"ack","endpoint":${quoteJsonString(endpoint)},"version":${quoteJsonString(version)}}`;
}

/**
 * An `error` message.
 * @param code - Broker's error code name, e.g. `deserialization_failed`
 * @param context - the description
 */
export function renderError(code: string, context: string): string {
  return `{"type":"error","code":${quoteJsonString(code)},"context":${quoteJsonString(context)}}`;
}
