/** Summary statistics of samples, and ratios between ways of doing the same thing. */

export interface Summary {
  n: number;
  median: number;
  p90: number;
  min: number;
  max: number;
}

function _quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

const _round = (x: number) => Math.round(x * 100) / 100;

/**
 * Median, p90 (linear interpolation), min and max of `values`, rounded to 0.01.
 *
 * @example
 * ```ts
 * summarize([3, 1, 2]); // { n: 3, median: 2, p90: 2.8, min: 1, max: 3 }
 * ```
 */
export function summarize(values: number[]): Summary {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return {
    n: s.length,
    median: _round(_quantile(s, 0.5)),
    p90: _round(_quantile(s, 0.9)),
    min: _round(s[0] ?? NaN),
    max: _round(s[s.length - 1] ?? NaN),
  };
}

/** a / b rounded to 0.01; NaN when either is missing. */
export function ratio(a: number | undefined, b: number | undefined): number {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) {
    return NaN;
  }
  return _round(a / b);
}
