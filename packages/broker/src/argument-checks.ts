/**
 * Checks of the facade's arguments. Every facade call runs these before anything reaches
 * the endpoint's core, so that a wrong type or an out-of-range number is a `BrokerError`
 * for that call and never a failure inside the core.
 */
import { BrokerError } from '@broker-ts/data';
import { LOCAL_TOPIC_PREFIX } from './topic';

/** A topic or a list of topics. */
export type Topics = string | readonly string[];

/**
 * Names a value in an error message without running any of its code (a forged object's
 * `toString` may throw).
 */
export function describeArg(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === 'symbol' || typeof v === 'function') return typeof v;
  if (v instanceof RegExp) return 'a RegExp';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object' && v !== null) return 'an object';
  if (typeof v === 'bigint') return `${v}n`;
  return String(v);
}

/**
 * Checks one topic.
 * @throws BrokerError `invalid_topic_key` when it is not a string
 */
export function checkTopic(topic: unknown): asserts topic is string {
  if (typeof topic !== 'string') throw new BrokerError('invalid_topic_key', `a topic must be a string, got ${describeArg(topic)}`);
}

/** Where Broker puts an endpoint's own events: statuses, errors, store events (`<$>/local/data/...`). */
const ENDPOINT_EVENTS_PREFIX = `${LOCAL_TOPIC_PREFIX}data/`;

/**
 * Checks the topic of a publication: a string outside the topics of the endpoint's own
 * events (`<$>/local/data/...`: statuses, errors, store events), which only the endpoint
 * writes and its status subscribers and store event readers parse. Other local topics
 * (`<$>/local/...`) stay open: they are delivered here and never leave the endpoint.
 * @throws BrokerError `invalid_topic_key`
 */
export function checkPublishTopic(topic: unknown): asserts topic is string {
  checkTopic(topic);
  // The first character first: the publish calls' hot path.
  if (topic.charCodeAt(0) === 0x3c && topic.startsWith(ENDPOINT_EVENTS_PREFIX)) {
    throw new BrokerError('invalid_topic_key', `cannot publish to ${describeArg(topic)}: ${ENDPOINT_EVENTS_PREFIX} is reserved for the endpoint's own events`);
  }
}

/**
 * A topic or an iterable of topics, as a new array.
 * @throws BrokerError `invalid_topic_key` for anything else (a number, a RegExp, a list
 *   holding a non-string, ...)
 */
export function topicList(topics: unknown): string[] {
  if (typeof topics === 'string') return [topics];
  if (typeof topics !== 'object' || topics === null || typeof (topics as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new BrokerError('invalid_topic_key', `topics must be a string or a list of strings, got ${describeArg(topics)}`);
  }
  const list: string[] = [];
  for (const t of arrayOf(topics, 'topics')) {
    if (typeof t !== 'string') throw new BrokerError('invalid_topic_key', `topics must be strings, got ${describeArg(t)}`);
    list.push(t);
  }
  return list;
}

/**
 * The items of an iterable argument, as an array.
 * @throws BrokerError `invalid_data` when it is not iterable or its iterator fails (a
 *   forged object, a throwing generator)
 */
export function arrayOf(value: unknown, what: string): unknown[] {
  checkIterable(value, what);
  try {
    return Array.from(value);
  } catch (e) {
    if (e instanceof BrokerError) throw e;
    throw new BrokerError('invalid_data', `${what} could not be iterated: ${e instanceof Error ? e.message : describeArg(e)}`);
  }
}

/**
 * Checks a host name or address.
 * @throws BrokerError `invalid_data` when it is not a non-empty string
 */
export function checkHost(host: unknown): asserts host is string {
  if (typeof host !== 'string' || host === '') throw new BrokerError('invalid_data', `a host must be a non-empty string, got ${describeArg(host)}`);
}

/**
 * Checks a TCP port number.
 * @param min - 0 where the OS may pick one (listen), 1 to connect
 * @throws BrokerError `invalid_data` when it is not an integer in min..65535
 */
export function checkPort(port: unknown, min: 0 | 1): asserts port is number {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < min || port > 65535) {
    throw new BrokerError('invalid_data', `a port must be an integer in ${min}..65535, got ${describeArg(port)}`);
  }
}

/**
 * Checks an options argument: undefined or an object.
 * @returns the options, `{}` for undefined
 * @throws BrokerError `invalid_data` for anything else
 */
export function optionsObject<T extends object>(options: unknown, what: string): Partial<T> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new BrokerError('invalid_data', `${what} must be an object, got ${describeArg(options)}`);
  return options as Partial<T>;
}

/**
 * Checks a non-empty string argument (a store name, a module path, a peer id).
 * @throws BrokerError `invalid_data` otherwise
 */
export function checkName(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || value === '') throw new BrokerError('invalid_data', `${what} must be a non-empty string, got ${describeArg(value)}`);
}

/**
 * Checks a positive integer option, when given.
 * @throws BrokerError `invalid_data` otherwise
 */
export function checkPositiveInt(value: unknown, what: string): asserts value is number | undefined {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new BrokerError('invalid_data', `${what} must be a positive integer, got ${describeArg(value)}`);
}

/**
 * Checks a boolean argument, when given.
 * @throws BrokerError `invalid_data` otherwise
 */
export function checkBoolean(value: unknown, what: string): asserts value is boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw new BrokerError('invalid_data', `${what} must be a boolean, got ${describeArg(value)}`);
}

/**
 * Checks a callback argument.
 * @throws BrokerError `invalid_data` when it is not a function
 */
export function checkFunction(value: unknown, what: string): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') throw new BrokerError('invalid_data', `${what} must be a function, got ${describeArg(value)}`);
}

/**
 * Checks an iterable argument.
 * @throws BrokerError `invalid_data` otherwise
 */
export function checkIterable(value: unknown, what: string): asserts value is Iterable<unknown> {
  if (typeof value === 'string' || typeof value !== 'object' || value === null || typeof (value as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new BrokerError('invalid_data', `${what} must be an iterable (an array, ...), got ${describeArg(value)}`);
  }
}

/** The error of every call made after `shutdown()`. */
export function shutDownError(): BrokerError {
  return new BrokerError('shutting_down', 'the endpoint is shut down');
}
