/* Statistics for evaluation reports (pure). */

/** Wilson score interval for a proportion (z = 1.96: 95%). */
export function wilson(successes: number, n: number, z = 1.959963984540054): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 0 };
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  // at k = 0 and k = n the exact bounds are 0 and 1 (floating point lands a hair inside)
  return {
    low: successes === 0 ? 0 : Math.max(0, centre - half),
    high: successes === n ? 1 : Math.min(1, centre + half),
  };
}

export function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

/** Linear-interpolated quantile (q in [0,1]) of an unsorted list. */
export function quantile(xs: number[], q: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** log of n choose k. */
function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/**
 * McNemar's exact test on the discordant pairs: b = A right & B wrong, c = A wrong & B right.
 * Two-sided p-value = min(1, 2 * P[X <= min(b, c)]) for X ~ Binomial(b + c, 1/2).
 */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  let tail = 0;
  for (let i = 0; i <= k; i++) tail += Math.exp(logChoose(n, i) - n * Math.LN2);
  return Math.min(1, 2 * tail);
}

/** Counts per value (e.g. rounds per problem), sorted by value. */
export function distribution(xs: number[]): { value: number; count: number }[] {
  const m = new Map<number, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return [...m.entries()].sort((a, b) => a[0] - b[0]).map(([value, count]) => ({ value, count }));
}

/** Label of the bin a value falls in, for bin upper edges [e1, e2, ...] (the last bin is open). */
export function binIndex(value: number, edges: number[]): number {
  const i = edges.findIndex((e) => value < e);
  return i < 0 ? edges.length : i;
}

export function binLabel(i: number, edges: number[]): string {
  const k = (n: number) => (n % 1000 === 0 ? `${n / 1000}k` : `${n}`);
  if (i === 0) return `<${k(edges[0]!)}`;
  if (i >= edges.length) return `>=${k(edges[edges.length - 1]!)}`;
  return `${k(edges[i - 1]!)}-${k(edges[i]!)}`;
}
