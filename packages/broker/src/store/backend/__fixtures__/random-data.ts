import { Address, BrokerSet, BrokerTable, Count, EnumValue, Port, Subnet, Timespan, Timestamp, type Data } from '@broker-ts/data';

/** Random Broker data of every type, drawn from small pools so that equal values and common prefixes are frequent. */
export function randomData(random: () => number, depth = 0): Data {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const small = (): number => Math.floor(random() * 4);
  const words = (): number => pick([0, 1, 0x7fffffff, 0x80000000, 0xffffffff]);
  const type = Math.floor(random() * (depth < 2 ? 15 : 12));
  switch (type) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return new Count(pick([0n, 1n, 255n, 256n, 2n ** 63n, 2n ** 64n - 1n]));
    case 3:
      return pick([0n, 1n, -1n, 255n, -256n, 2n ** 63n - 1n, -(2n ** 63n)]);
    case 4:
      return pick([0, -0, 1.5, -1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-300, -1e300]);
    case 5: {
      const r = random();
      if (r < 0.15) return new Uint8Array(Array.from({ length: small() + 1 }, () => pick([0x80, 0xff, 0xc3, 0x41])));
      const chars = ['a', 'b', 'é', '\u{1F600}', '\uE000', '\uFFFF', '\0'];
      return Array.from({ length: Math.floor(random() * (r < 0.9 ? 4 : 200)) }, () => pick(chars)).join('');
    }
    case 6:
      return new Address(words(), words(), words(), words());
    case 7:
      return new Subnet(new Address(words(), words(), 0, 0), pick([0, 8, 64, 128]));
    case 8:
      return new Port(pick([0, 80, 443, 65535]), pick(['tcp', 'udp', 'icmp', 'unknown'] as const));
    case 9:
      return new Timestamp(pick([0n, 1n, -1n, 2n ** 62n, -(2n ** 62n)]));
    case 10:
      return new Timespan(pick([0n, 1n, -1n, 2n ** 62n, -(2n ** 62n)]));
    case 11:
      return new EnumValue(pick(['a', 'ab', 'b', 'é', '']));
    case 12:
      return new BrokerSet(Array.from({ length: small() }, () => randomData(random, depth + 1)));
    case 13:
      return new BrokerTable(Array.from({ length: small() }, () => [randomData(random, depth + 1), randomData(random, depth + 1)] as const));
    default:
      return Array.from({ length: small() }, () => randomData(random, depth + 1));
  }
}
