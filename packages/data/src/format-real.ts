const scratch = new DataView(new ArrayBuffer(8));

/**
 * Formats a real exactly as C's `printf("%f")` does with glibc: the exact decimal value
 * of the double rounded half-to-even to 6 decimals, never an exponent (`1e300` prints
 * all 301 digits), `nan`, `inf`, `-inf`, and `-0.000000` for negative zero.
 * @param x - the real
 * @returns the text
 */
export function formatReal(x: number): string {
  if (x !== x) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  // toFixed is exact but rounds ties away from zero; an exact tie at the 7th decimal needs
  // x * 2^7 to be an odd integer, so values that are not multiples of 2^-7 are safe.
  if (Math.abs(x) < 1e21 && !Number.isInteger(x * 128)) return x.toFixed(6);
  // Below 2^53 an integral double prints exactly as its shortest decimal form.
  if (Number.isInteger(x) && Math.abs(x) <= 9007199254740992 && !Object.is(x, -0)) return `${x}.000000`;
  return formatExact(x);
}

function formatExact(x: number): string {
  scratch.setFloat64(0, x);
  const hi = scratch.getUint32(0);
  const lo = scratch.getUint32(4);
  const negative = hi >>> 31 === 1;
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  // value = mant * 2^exp; scaled = round_half_even(value * 10^6)
  let scaled: bigint;
  if (exp >= 0) scaled = (mant << BigInt(exp)) * 1_000_000n;
  else {
    const shift = BigInt(-exp);
    const num = mant * 1_000_000n;
    let q = num >> shift;
    const r = num - (q << shift);
    const half = 1n << (shift - 1n);
    if (r > half || (r === half && (q & 1n) === 1n)) q += 1n;
    scaled = q;
  }
  const digits = scaled.toString().padStart(7, '0');
  const cut = digits.length - 6;
  return `${negative ? '-' : ''}${digits.slice(0, cut)}.${digits.slice(cut)}`;
}
