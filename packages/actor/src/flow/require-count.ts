import { FlowError } from './flow-error';

/**
 * Returns the value if it is a safe integer of at least `min`.
 * @param name - the option or argument name, for the error message
 * @param value - the value to check
 * @param min - the smallest allowed value
 * @throws FlowError `invalid_argument` otherwise
 */
export function requireCount(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new FlowError('invalid_argument', `${name} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}
