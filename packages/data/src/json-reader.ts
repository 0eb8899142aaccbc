import { BrokerError } from './broker-error';
import { MAX_NESTING_DEPTH } from './max-nesting-depth';

// JSON levels: a Broker container takes two (its object and its `data` array), a table
// three (each entry is an object too), so that Broker's 512 levels fit; the decoder
// counts Broker's levels itself.
const MAX_DEPTH = 3 * MAX_NESTING_DEPTH + 3;

/**
 * A JSON number kept as its source text, so that `5` (an integer) stays distinct from
 * `5.0` (a double) and integers up to 2^64 - 1 stay exact.
 * @internal
 */
export class JsonNumber {
  /**
   * @param text - the number as written (`nan`, `inf` and `-inf` included)
   * @param isInteger - true when written without fraction or exponent
   */
  constructor(
    readonly text: string,
    readonly isInteger: boolean,
  ) {}
}

/**
 * A parsed JSON value: objects become `Map`s (insertion order, last duplicate wins).
 * @internal
 */
export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | Map<string, JsonValue>;


/**
 * Parses JSON text into {@link JsonValue}s. Beyond RFC 8259 it accepts what Broker's
 * encoder emits: the escape `\v`, raw control characters inside strings, and the reals
 * `nan`, `inf`, `-inf`.
 * @param text - the JSON text
 * @throws BrokerError `invalid_json` with the offset of the problem
 * @internal
 */
export function parseJson(text: string): JsonValue {
  if (typeof text !== 'string') throw new BrokerError('type_clash', 'JSON input must be a string');
  const p = new JsonReader(text);
  p.skipWs();
  const v = p.value(0);
  p.skipWs();
  if (p.pos !== text.length) p.fail('unexpected text after the JSON value');
  return v;
}

/** The index of the first character at or after `i` that is not a decimal digit. */
function skipDigits(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    i++;
  }
  return i;
}

class JsonReader {
  pos = 0;

  constructor(readonly s: string) {}

  fail(message: string, at = this.pos): never {
    throw new BrokerError('invalid_json', `malformed JSON: ${message} at offset ${at}`, { offset: at });
  }

  skipWs(): void {
    const s = this.s;
    let i = this.pos;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      i++;
    }
    this.pos = i;
  }

  value(depth: number): JsonValue {
    const s = this.s;
    if (this.pos >= s.length) this.fail('unexpected end of input');
    // Character codes, not one-character strings: a switch over small integers.
    const c = s.charCodeAt(this.pos);
    switch (c) {
      case 0x7b: // {
        return this.object(depth + 1);
      case 0x5b: // [
        return this.array(depth + 1);
      case 0x22: // "
        return this.string();
      case 0x74: // t
        return this.literal('true', true);
      case 0x66: // f
        return this.literal('false', false);
      case 0x6e: // n
        if (s.startsWith('nan', this.pos) && !s.startsWith('null', this.pos)) {
          this.pos += 3;
          return new JsonNumber('nan', false);
        }
        return this.literal('null', null);
      case 0x69: // i
        this.literal('inf', null);
        return new JsonNumber('inf', false);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
        return this.fail(`unexpected character ${JSON.stringify(s[this.pos])}`);
    }
  }

  literal<T>(word: string, v: T): T {
    if (!this.s.startsWith(word, this.pos)) this.fail(`expected ${word}`);
    this.pos += word.length;
    return v;
  }

  number(): JsonNumber {
    const s = this.s;
    const start = this.pos;
    let i = start;
    if (s.charCodeAt(i) === 0x2d) {
      i++;
      if (s.startsWith('inf', i)) {
        this.pos = i + 3;
        return new JsonNumber('-inf', false);
      }
    }
    const digitsFrom = i;
    i = skipDigits(s, i);
    if (i === digitsFrom) this.fail('expected a digit', i);
    if (s.charCodeAt(digitsFrom) === 0x30 && i - digitsFrom > 1) this.fail('leading zero in a number', digitsFrom);
    let isInteger = true;
    if (s.charCodeAt(i) === 0x2e) {
      isInteger = false;
      const f = ++i;
      i = skipDigits(s, i);
      if (i === f) this.fail('expected a digit after the decimal point', i);
    }
    const e = s.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      isInteger = false;
      i++;
      const sign = s.charCodeAt(i);
      if (sign === 0x2b || sign === 0x2d) i++;
      const from = i;
      i = skipDigits(s, i);
      if (i === from) this.fail('expected a digit in the exponent', i);
    }
    this.pos = i;
    return new JsonNumber(s.slice(start, i), isInteger);
  }

  string(): string {
    const s = this.s;
    const start = this.pos;
    let i = start + 1;
    let out = '';
    let chunk = i;
    for (;;) {
      if (i >= s.length) this.fail('unterminated string', start);
      const c = s.charCodeAt(i);
      if (c === 0x22) break;
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += s.slice(chunk, i);
      const e = s[i + 1];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'v':
          out += '\v';
          break;
        case 'u': {
          const hex = s.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid \\u escape', i);
          out += String.fromCharCode(parseInt(hex, 16));
          i += 4;
          break;
        }
        default:
          this.fail('invalid escape', i);
      }
      i += 2;
      chunk = i;
    }
    out += s.slice(chunk, i);
    this.pos = i + 1;
    return out;
  }

  /**
   * One of the WebSocket API's object keys (`@data-type`, `data`, `key`, `value`, `type`,
   * `topic`) at the read position (its opening quote), read past; else undefined. A key
   * found here is a constant string rather than a slice of the input: no allocation, and
   * its hash is computed once for every Map that holds it.
   */
  knownKey(): string | undefined {
    switch (this.s.charCodeAt(this.pos + 1)) {
      case 0x40: // @
        return this.keyIf('"@data-type"', '@data-type');
      case 0x64: // d
        return this.keyIf('"data"', 'data');
      case 0x6b: // k
        return this.keyIf('"key"', 'key');
      case 0x76: // v
        return this.keyIf('"value"', 'value');
      case 0x74: // t
        return this.keyIf('"topic"', 'topic') ?? this.keyIf('"type"', 'type');
      default:
        return undefined;
    }
  }

  private keyIf(quoted: string, key: string): string | undefined {
    if (!this.s.startsWith(quoted, this.pos)) return undefined;
    this.pos += quoted.length;
    return key;
  }

  array(depth: number): JsonValue[] {
    if (depth > MAX_DEPTH) this.fail(`JSON nesting deeper than ${MAX_DEPTH} levels`);
    this.pos++;
    const out: JsonValue[] = [];
    this.skipWs();
    if (this.s.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWs();
      out.push(this.value(depth));
      this.skipWs();
      const c = this.s.charCodeAt(this.pos++);
      if (c === 0x5d) return out;
      if (c !== 0x2c) this.fail("expected ',' or ']'", this.pos - 1);
    }
  }

  object(depth: number): Map<string, JsonValue> {
    if (depth > MAX_DEPTH) this.fail(`JSON nesting deeper than ${MAX_DEPTH} levels`);
    this.pos++;
    const out = new Map<string, JsonValue>();
    this.skipWs();
    if (this.s.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWs();
      if (this.s.charCodeAt(this.pos) !== 0x22) this.fail('expected a string key');
      const key = this.knownKey() ?? this.string();
      this.skipWs();
      if (this.s.charCodeAt(this.pos) !== 0x3a) this.fail("expected ':'");
      this.pos++;
      this.skipWs();
      out.set(key, this.value(depth));
      this.skipWs();
      const c = this.s.charCodeAt(this.pos++);
      if (c === 0x7d) return out;
      if (c !== 0x2c) this.fail("expected ',' or '}'", this.pos - 1);
    }
  }
}
