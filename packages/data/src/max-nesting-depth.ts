/**
 * How deep containers may nest in any codec (binary, JSON, text). Deeper input is refused
 * with a `BrokerError`, which also catches cyclic arrays and keeps hostile input from
 * overflowing the stack.
 */
export const MAX_NESTING_DEPTH = 512;
