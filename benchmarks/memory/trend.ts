/**
 * Whether a memory series is flat: a least-squares line through `(seconds, bytes)`
 * samples, and the verdict that its fitted change over the whole window stays within a
 * share of the series' mean (a leak shows as a steady rise; the saw-tooth of garbage
 * collection does not move the fitted line much over a long window).
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
