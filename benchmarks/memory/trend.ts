/**
 * Whether a memory series is flat: a least-squares line through `(seconds, bytes)`
 * samples, and the verdict that its fitted change stays within a share of the series'
 * mean. A process under a new load first settles (V8 grows its young generation and old
 * generation to what the load needs) and then stays level, while a leak keeps rising:
 * {@link settledTrend} asks whether the rise persists into the second half of the window. The V8 heap in use is a
 * saw-tooth between collections; {@link floors} takes its low points, which a leak
 * raises.
 */

/** A fitted trend. */
export interface Trend {
  /** Slope, bytes per minute. */
  bytesPerMinute: number;
  /** Fitted change from the first to the last sample, bytes. */
  fittedChange: number;
  /** Mean of the samples, bytes. */
  mean: number;
  /** True when |fittedChange| ≤ tolerance × mean. */
  flat: boolean;
}

/**
 * Fits `values` (bytes) against `seconds`.
 * @param tolerance - the share of the mean the fitted change may reach (default 0.05)
 * @throws RangeError for fewer than two samples, different lengths, or all samples at one time
 */
export function fitTrend(seconds: readonly number[], values: readonly number[], tolerance = 0.05): Trend {
  const n = seconds.length;
  if (n < 2 || values.length !== n) throw new RangeError('a trend needs two or more (time, value) samples');
  const mx = seconds.reduce((a, b) => a + b, 0) / n;
  const my = values.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (seconds[i] - mx) * (values[i] - my);
    sxx += (seconds[i] - mx) ** 2;
  }
  if (sxx === 0) throw new RangeError('the samples span no time');
  const slope = sxy / sxx;
  const fittedChange = slope * (seconds[n - 1] - seconds[0]);
  return { bytesPerMinute: slope * 60, fittedChange, mean: my, flat: Math.abs(fittedChange) <= tolerance * my };
}

/**
 * The trend of the second half of the window, flat unless the rise persists: the whole
 * window and its second half both rise by more than `tolerance` × their mean. Settling
 * rises in the first half only, noise in the second half only moves the whole window
 * little, a leak rises in both; a fall is flat (memory given back).
 * @throws RangeError for fewer than four samples
 */
export function settledTrend(seconds: readonly number[], values: readonly number[], tolerance = 0.05): Trend {
  if (seconds.length < 4) throw new RangeError('a settled trend needs four or more samples');
  const half = Math.floor(seconds.length / 2);
  const whole = fitTrend(seconds, values, tolerance);
  const t = fitTrend(seconds.slice(half), values.slice(half), tolerance);
  return { ...t, flat: !(whole.fittedChange > tolerance * whole.mean && t.fittedChange > tolerance * t.mean) };
}

/**
 * The lowest value in each window of `windowS` seconds (the floor of a saw-tooth), with
 * the window's first time.
 */
export function floors(seconds: readonly number[], values: readonly number[], windowS: number): { seconds: number[]; values: number[] } {
  const out = { seconds: [] as number[], values: [] as number[] };
  for (let i = 0; i < seconds.length; ) {
    const start = seconds[i];
    let low = values[i];
    for (i++; i < seconds.length && seconds[i] < start + windowS; i++) low = Math.min(low, values[i]);
    out.seconds.push(start);
    out.values.push(low);
  }
  return out;
}
