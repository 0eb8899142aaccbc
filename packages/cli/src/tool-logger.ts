/**
 * The endpoint logger of the command-line tools: pino writing to stderr, so that log
 * lines never mix with a tool's report on stdout.
 */
import pino, { type Logger } from 'pino';

/**
 * A logger for a tool's endpoint: `info` and up with `--verbose`, otherwise errors only
 * (an endpoint logs a peer's goodbye at warn level, which is the normal end of a run
 * here). `BROKER_TS_LOG_LEVEL` overrides both.
 */
export function toolLogger(verbose: boolean): Logger {
  return pino({ name: 'broker-ts', level: process.env.BROKER_TS_LOG_LEVEL ?? (verbose ? 'info' : 'error') }, pino.destination(2));
}
