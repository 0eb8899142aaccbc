/**
 * The participants' endpoint logger: errors only, on stderr (an endpoint logs a peer's
 * goodbye at warn level, which is how every run ends).
 */
import pino, { type Logger } from 'pino';

/** A pino logger at `error` level writing to stderr. */
export function quietLogger(): Logger {
  return pino({ level: 'error' }, pino.destination(2));
}
