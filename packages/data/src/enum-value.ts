import { BrokerError } from './broker-error';
import { BROKER_TAG, markBrokerType, TAG_ENUM_VALUE } from './type-tag';

/** Broker's `enum_value`: the name of an enumerator, e.g. `Foo::BAR` or `tcp`. */
export class EnumValue {
  /** @internal Broker's type index, on the prototype (see type-tag.ts). */
  declare readonly [BROKER_TAG]: number;

  /** The enumerator's name. */
  readonly name: string;

  /** @param name - the enumerator's name */
  constructor(name: string) {
    if (typeof name !== 'string') throw new BrokerError('type_clash', `enum_value expects a string name, got ${typeof name}`);
    this.name = name;
  }

  /** For `JSON.stringify` and loggers: Broker's text form (use `encodeJson` for Broker's JSON format). */
  toJSON(): string {
    return this.toString();
  }

  /** Broker's text form: the name. */
  toString(): string {
    return this.name;
  }

  /**
   * Tells whether another enum value has the same name.
   * @param other - the other value
   */
  equals(other: EnumValue): boolean {
    return this.name === other.name;
  }
}
markBrokerType(EnumValue, TAG_ENUM_VALUE);

/**
 * Makes a Broker enum value.
 * @param name - the enumerator's name
 * @returns the enum value
 */
export function enumValue(name: string): EnumValue {
  return new EnumValue(name);
}
