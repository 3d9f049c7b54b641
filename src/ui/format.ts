import { dateStatText } from '../core/data/stats';
/** Number formatting for the screen: units and sensible rounding (`41.2 k samples/s`). */
export function compact(n: number | null | undefined, digits = 3): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  const abs = Math.abs(n);
  const units: [number, string][] = [
    [1e9, ' G'],
    [1e6, ' M'],
    [1e3, ' k'],
  ];
  for (const [scale, suffix] of units) if (abs >= scale) return `${(n / scale).toPrecision(digits)}${suffix}`;
  return abs >= 100 ? n.toFixed(0) : n.toPrecision(digits);
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

export function percent(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(1)} %`;
}

/**
 * Twelve colours that stay apart from each other on white (and for the common colour-vision
 * deficiencies as far as twelve can), in the order runs get them.
 */
export const RUN_COLOURS = [
  '#2563eb',
  '#dc2626',
  '#16a34a',
  '#9333ea',
  '#ea580c',
  '#0891b2',
  '#db2777',
  '#65a30d',
  '#92400e',
  '#475569',
  '#ca8a04',
  '#1e3a8a',
] as const;

/** Line dash patterns (SVG stroke-dasharray), one per round through the colours: solid first. */
export const RUN_DASHES = ['', '6 3', '2 2', '10 3 2 3'] as const;

/** Stable colour for the i-th run (runs keep the index they were created with). */
export function runColour(i: number): string {
  return RUN_COLOURS[((i % RUN_COLOURS.length) + RUN_COLOURS.length) % RUN_COLOURS.length];
}

/** Dash pattern of the i-th run: solid for the first twelve, then a new pattern per twelve. */
export function runDash(i: number): string {
  return RUN_DASHES[Math.floor(Math.max(0, i) / RUN_COLOURS.length) % RUN_DASHES.length];
}

/** A rate with its unit: `41.2 k samples/s`. */
export function rate(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '–' : `${compact(n)} samples/s`;
}

/** Seconds with sensible rounding: `0.84 s`, `12.3 s`, `2 min 5 s`. */
export function seconds(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return '–';
  if (s < 10) return `${s.toPrecision(2)} s`;
  if (s < 120) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** `(lo–hi)` with the same formatter, or '' when there is no spread to show. */
export function spread(min: number | null, max: number | null, n: number, f: (v: number) => string): string {
  if (min === null || max === null || n < 2) return '';
  return `${f(min)}–${f(max)}`;
}

/** A speed-up factor: `x2.3`, `x0.85`. */
export function factor(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return '–';
  return `x${x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(2).replace(/0$/, '') : x.toFixed(2)}`;
}

/**
 * A schema statistic (min, max, mean) in its column's terms: dates (days since 1970-01-01) as
 * `YYYY-MM-DD`, timestamps (ms since the epoch, UTC) as `YYYY-MM-DD HH:MM:SS` (with `.mmm`
 * when there are milliseconds), anything else through `compact`.
 */
export function statValue(type: string, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return dateStatText(type, v) ?? compact(v);
}
