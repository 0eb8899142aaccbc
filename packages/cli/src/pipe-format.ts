/**
 * The line formats of `broker-pipe`: Broker's text format for the messages it prints
 * (`data(<topic>, <value>)`, as the newest Broker's `to_string` of a data message), and
 * Broker's JSON v1 (the WebSocket API's data messages) with `--json`, both ways.
 */
import { type Data, decodeJson, decodeJsonDataMessage, encodeJsonDataMessage, toString } from '@broker-ts/broker';

/** The line printed for a message: Broker's `data(<topic>, <value>)`, or a JSON v1 data message. */
export function formatPipeMessage(topic: string, value: Data, json: boolean): string {
  return json ? encodeJsonDataMessage(topic, value) : `data(${topic}, ${toString(value)})`;
}

/**
 * The message a stdin line stands for: the line as a string, or with `json` a JSON v1
 * value (published on `topic`) or data message (published on its own topic).
 * @throws BrokerError `invalid_json` or `type_clash` for a line that is not JSON v1
 */
export function parsePipeLine(line: string, topic: string, json: boolean): [string, Data] {
  if (!json) return [topic, line];
  if (/"topic"\s*:/.test(line)) {
    const msg = decodeJsonDataMessage(line);
    return [msg.topic, msg.value];
  }
  return [topic, decodeJson(line)];
}

