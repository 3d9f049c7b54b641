/** Number formatting for the screen: units and sensible rounding (`41.2 k samples/s`). */
export function compact(n: number | null | undefined, digits = 3): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  const abs = Math.abs(n);
  const units: [number, string][] = [[1e9, ' G'], [1e6, ' M'], [1e3, ' k']];
  for (const [scale, suffix] of units) if (abs >= scale) return `${(n / scale).toPrecision(digits)}${suffix}`;
  return abs >= 100 ? n.toFixed(0) : n.toPrecision(digits);
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

export function percent(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(1)} %`;
}

/** Stable colour for the i-th run. */
export function runColour(i: number): string {
  const palette = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#be185d', '#4d7c0f'];
  return palette[i % palette.length];
}
