/**
 * Classifies one text value (a byte range of a CSV file, or a JSON string) as missing, a
 * number, a boolean, a date, a timestamp or plain text, without building a string on the
 * common paths. The rules, shared by the CSV and JSON readers:
 *
 * - Missing: an empty field, `NA`, `N/A`, `n/a`, `null`, `NULL`, and `?` (as the UCI repository's
 *   files mark a missing value: adult, heart disease, mushroom); nothing else (`None` or `-` are
 *   ordinary text).
 * - Numbers: decimal syntax `[+-]digits[.digits][e[+-]digits]` (also `.5` and `5.`), plus the
 *   literals `NaN`, `Infinity`, `inf` and `nan` in any letter case and with an optional sign (as
 *   JavaScript, numpy, pandas' `to_csv` and R write them). Those non-finite values are kept as
 *   values (not missing); `checkFinite` in `finite.ts` reports the columns that hold them.
 *   Hex, binary, thousands separators and `1_000` are text. Leading zeros are allowed
 *   (`007` is 7). Spaces or tabs around a number are ignored.
 * - Integers: integer syntax whose value fits int32; larger ones count as floats, up to
 *   2^53 - 1 in magnitude; beyond that (IDs such as tweet IDs) an integer is text, since a double
 *   would give neighbouring integers one value.
 * - Booleans: `true` / `false` in any letter case.
 * - Dates: `YYYY-MM-DD` with a valid month and day, as days since 1970-01-01; also `YYYY/MM/DD`
 *   (the same order, as Japan, China and Korea write dates; `MM/DD/YYYY` and `DD/MM/YYYY` are
 *   not read as dates, since one cannot tell them apart). Dates with an English month name are
 *   never ambiguous and are read too (`parseNamedDate`): `Jun 12 1998`, `June 12, 1998`,
 *   `12 Jun 1998`, `12-Jun-1998` (the month as its full name, its first three letters or `Sept`,
 *   in any letter case; a four-digit year; a two-digit year such as `12-Jun-98` stays text).
 * - Timestamps: `YYYY-MM-DD` (or `YYYY/MM/DD`), then `T` or one space, `HH:MM[:SS[.fraction]]`, then an optional
 *   `Z` or `+HH:MM` / `-HH:MM` / `+HHMM` offset. Without an offset the time is read as UTC.
 *   Stored as milliseconds since the epoch (fractions beyond milliseconds are truncated).
 * - Everything else is text. (A CSV file not delimited by commas may also hold numbers with a
 *   decimal comma, `1.234,5`: read per column where these rules make it text, see
 *   `buildDecimalComma` in `column-builder.ts`.)
 */

/** What a value looks like. Values are bit flags so that a column can OR them together. */
export const Kind = {
  missing: 0,
  int: 1,
  float: 2,
  bool: 4,
  date: 8,
  timestamp: 16,
  text: 32,
} as const;

/** One of the `Kind` flags. */
export type KindFlag = (typeof Kind)[keyof typeof Kind];

const MS_PER_DAY = 86_400_000;
/** 10^0 .. 10^22: every one is exact in float64 (Clinger's fast path). */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

let lastValue = 0;

/**
 * The value of the last number, boolean (0/1), date or timestamp classified. Dates are given
 * in milliseconds here (like timestamps) so that a column mixing both needs no second pass.
 */
export function classifiedValue(): number {
  return lastValue;
}

/** The missing-value words (the empty field aside), as bytes. */
const MISSING_WORDS = ['NA', 'N/A', 'n/a', 'null', 'NULL'].map((w) => Array.from(w, (c) => c.charCodeAt(0)));

function matchesWord(b: Uint8Array, s: number, e: number, word: readonly number[], caseless: boolean): boolean {
  if (e - s !== word.length) return false;
  for (let k = 0; k < word.length; k++) {
    let c = b[s + k];
    if (caseless && c >= 65 && c <= 90) c += 32;
    if (c !== word[k]) return false;
  }
  return true;
}

/** Whether the byte range is one of the missing-value words or empty. */
export function isMissingBytes(b: Uint8Array, s: number, e: number): boolean {
  const len = e - s;
  if (len === 0) return true;
  if (len > 4) return false;
  const c = b[s];
  if (len === 1 && c === 63) return true; // '?'
  if (c !== 78 && c !== 110) return false; // 'N' or 'n'
  for (const w of MISSING_WORDS) if (matchesWord(b, s, e, w, false)) return true;
  return false;
}

const TRUE = [116, 114, 117, 101];
const FALSE = [102, 97, 108, 115, 101];
const NAN = [110, 97, 110];
const INF = [105, 110, 102];
const INFINITY = Array.from('infinity', (c) => c.charCodeAt(0));

/**
 * NaN or an infinity as the tools write them, in any letter case and with an optional sign:
 * `NaN` and `Infinity` (JavaScript), `nan` and `inf` (numpy, pandas' `to_csv`, C's printf), `Inf`
 * and `NaN` (R); null for anything else. Sets `lastValue`.
 */
function nonFiniteWord(b: Uint8Array, s: number, e: number): KindFlag | null {
  let sign = 1;
  if (b[s] === 45 || b[s] === 43) sign = b[s++] === 45 ? -1 : 1;
  if (matchesWord(b, s, e, NAN, true)) lastValue = NaN;
  else if (matchesWord(b, s, e, INF, true) || matchesWord(b, s, e, INFINITY, true)) lastValue = sign * Infinity;
  else return null;
  return Kind.float;
}

/**
 * Classifies bytes `[s, e)` (ASCII decisions only; any other byte makes the value text).
 * For numbers, booleans, dates and timestamps the value is left in `classifiedValue()`.
 */
export function classifyBytes(b: Uint8Array, s: number, e: number): KindFlag {
  if (s === e) return Kind.missing;
  let c = b[s];
  // Surrounding blanks do not change what a value is (" 12" is 12) unless it is all blank.
  if (c === 32 || c === 9 || b[e - 1] === 32 || b[e - 1] === 9) {
    while (s < e && (b[s] === 32 || b[s] === 9)) s++;
    while (e > s && (b[e - 1] === 32 || b[e - 1] === 9)) e--;
    if (s === e) return Kind.missing;
    c = b[s];
  }
  if (c === 63 && e - s === 1) return Kind.missing; // '?'
  if ((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46) {
    const k = parseNumber(b, s, e);
    if (k !== Kind.text) return k;
    if (e - s >= 10 && (b[s + 4] === 45 || b[s + 4] === 47)) return parseDateTime(b, s, e);
    if (c >= 48 && c <= 57) return parseNamedDate(b, s, e);
    // -Infinity, +inf, -nan
    if (c === 45 || c === 43) return nonFiniteWord(b, s, e) ?? Kind.text;
    return Kind.text;
  }
  if (c === 78 || c === 110) {
    if (isMissingBytes(b, s, e)) return Kind.missing;
    return nonFiniteWord(b, s, e) ?? parseNamedDate(b, s, e); // NaN, nan; Nov 1 2000
  }
  if (c === 73 || c === 105) {
    const k = nonFiniteWord(b, s, e); // Infinity, inf, Inf
    if (k !== null) return k;
  }
  if ((c === 116 || c === 84) && matchesWord(b, s, e, TRUE, true)) {
    lastValue = 1;
    return Kind.bool;
  }
  if ((c === 102 || c === 70) && matchesWord(b, s, e, FALSE, true)) {
    lastValue = 0;
    return Kind.bool;
  }
  return parseNamedDate(b, s, e);
}

/**
 * Parses a plain decimal number, always to the same double as `Number(text)`. Up to 15
 * significant digits with a power of ten within 10^±22 take Clinger's fast path (one
 * correctly rounded multiply or divide); 16 to 19 digits use double-double arithmetic and
 * are accepted when the result is clearly not a rounding tie; anything else goes through
 * `Number()` on the ASCII text.
 */
function parseNumber(b: Uint8Array, s: number, e: number): KindFlag {
  let i = s;
  let neg = false;
  let c = b[i];
  if (c === 45 || c === 43) {
    neg = c === 45;
    i++;
  }
  // mant: the first 15 significant digits; low: the next 4 (lowDigits of them).
  let mant = 0;
  let low = 0;
  let lowDigits = 0;
  let sig = 0;
  let digits = 0;
  let frac = 0;
  let isInt = true;
  // Integer digits, then (after one '.') fraction digits, in one loop.
  for (; i < e; i++) {
    c = b[i];
    if (c === 46 && isInt) {
      isInt = false;
      continue;
    }
    if (c < 48 || c > 57) break;
    if (sig < 15) mant = mant * 10 + (c - 48);
    else if (sig < 19) {
      low = low * 10 + (c - 48);
      lowDigits++;
    }
    if (sig > 0 || c !== 48) sig++;
    digits++;
    if (!isInt) frac++;
  }
  const intDigits = digits - frac;
  if (digits === 0) return Kind.text;
  let exp = 0;
  if (i < e && (b[i] === 101 || b[i] === 69)) {
    isInt = false;
    i++;
    let expNeg = false;
    if (i < e && (b[i] === 45 || b[i] === 43)) {
      expNeg = b[i] === 45;
      i++;
    }
    const expStart = i;
    while (i < e && (c = b[i]) >= 48 && c <= 57) {
      if (exp < 100_000) exp = exp * 10 + (c - 48);
      i++;
    }
    if (i === expStart) return Kind.text;
    if (expNeg) exp = -exp;
  }
  if (i !== e) return Kind.text;
  if (isInt && intDigits <= 10) {
    const v = neg ? -mant : mant;
    if (v >= -2147483648 && v <= 2147483647) {
      lastValue = v;
      return Kind.int;
    }
  }
  // Digits past the 19th significant one were dropped: the power of ten counts them.
  const p = exp - frac + (sig > 19 ? sig - 19 : 0);
  let v = NaN;
  if (p >= -22 && p <= 22) {
    if (sig <= 15) v = p >= 0 ? mant * POW10[p] : mant / POW10[-p];
    else if (sig <= 19) v = doubleDouble(mant, low, lowDigits, p);
  }
  if (v !== v) v = Number(latin1(b, s, e));
  else if (neg) v = -v;
  // An integer beyond 2^53 - 1 (a tweet's or an order's ID) has no double of its own: neighbours
  // would merge into one value (deduplication, distinct counts, filters), so it stays text.
  if (isInt && (v > Number.MAX_SAFE_INTEGER || v < -Number.MAX_SAFE_INTEGER)) return Kind.text;
  lastValue = v;
  return Kind.float;
}

const SPLIT = 134217729; // 2^27 + 1 (Dekker)
let prodErr = 0;
/** a * b rounded; the exact error is left in prodErr (Dekker's TwoProduct, no FMA needed). */
function twoProd(a: number, b: number): number {
  const p = a * b;
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  prodErr = ah * bh - p + ah * bl + al * bh + al * bl;
  return p;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** Half an ulp of a double, by its biased exponent. */
const HALF_ULP = Float64Array.from({ length: 2048 }, (_, x) => 2 ** (x - 1076));
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // little-endian: high word second

/**
 * (hi * 10^k + lo) * 10^p for 16 to 19 significant digits, correctly rounded, or NaN when
 * the value lies too close to a rounding tie (or next to a power of two) to decide cheaply.
 */
function doubleDouble(hi: number, lo: number, k: number, p: number): number {
  // M = hi * 10^k + lo exactly, as h + l.
  const ph = twoProd(hi, POW10[k]);
  const pl = prodErr;
  const sum = ph + lo;
  const bb = sum - ph;
  const sumErr = ph - (sum - bb) + (lo - bb);
  let h = sum;
  let l = sumErr + pl;
  const h2 = h + l;
  l = l - (h2 - h);
  h = h2;
  const d = POW10[p < 0 ? -p : p];
  let r: number;
  let err: number;
  if (p >= 0) {
    const qh = twoProd(h, d);
    const t = prodErr + l * d;
    r = qh + t;
    err = t - (r - qh);
  } else {
    const q = h / d;
    const a = twoProd(q, d);
    const q2 = (h - a - prodErr + l) / d;
    r = q + q2;
    err = q2 - (r - q);
  }
  f64[0] = r;
  const hiWord = u32[HI];
  if ((hiWord & 0xfffff) === 0 && u32[1 - HI] === 0) return NaN;
  const halfUlp = HALF_ULP[(hiWord >>> 20) & 0x7ff];
  const gap = Math.abs(Math.abs(err) - halfUlp);
  return gap > halfUlp * 2 ** -20 ? r : NaN;
}

/** Builds a string from bytes that are known to be ASCII (in slices: `apply` spreads its arguments on the stack). */
export function latin1(b: Uint8Array, s: number, e: number): string {
  if (e - s <= 4096) return String.fromCharCode.apply(null, b.subarray(s, e) as unknown as number[]);
  let out = '';
  for (let i = s; i < e; i += 4096)
    out += String.fromCharCode.apply(null, b.subarray(i, Math.min(e, i + 4096)) as unknown as number[]);
  return out;
}

function digit2(b: Uint8Array, i: number): number {
  const h = b[i] - 48;
  const l = b[i + 1] - 48;
  if (h < 0 || h > 9 || l < 0 || l > 9) return -1;
  return h * 10 + l;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Parses an ISO date or date-time starting at `s` (already known to have '-' or '/' at s+4, the same at s+7). */
function parseDateTime(b: Uint8Array, s: number, e: number): KindFlag {
  const hi = digit2(b, s);
  const lo = digit2(b, s + 2);
  const m = digit2(b, s + 5);
  const d = digit2(b, s + 8);
  if (hi < 0 || lo < 0 || m < 1 || m > 12 || b[s + 7] !== b[s + 4] || d < 1) return Kind.text;
  const y = hi * 100 + lo;
  if (d > daysInMonth(y, m)) return Kind.text;
  const days = daysFromCivil(y, m, d);
  if (e - s === 10) {
    lastValue = days * MS_PER_DAY;
    return Kind.date;
  }
  // Time part: [T ]HH:MM[:SS[.f+]][Z|+HH:MM|-HH:MM|+HHMM]
  let i = s + 10;
  const sep = b[i];
  if ((sep !== 84 && sep !== 32) || e - i < 6) return Kind.text;
  const hh = digit2(b, i + 1);
  const mm = digit2(b, i + 4);
  if (hh < 0 || hh > 23 || b[i + 3] !== 58 || mm < 0 || mm > 59) return Kind.text;
  i += 6;
  let ss = 0;
  let ms = 0;
  if (i < e && b[i] === 58) {
    ss = e - i >= 3 ? digit2(b, i + 1) : -1;
    if (ss < 0 || ss > 59) return Kind.text;
    i += 3;
    if (i < e && b[i] === 46) {
      i++;
      const start = i;
      let scale = 100;
      while (i < e && b[i] >= 48 && b[i] <= 57) {
        ms += (b[i] - 48) * scale;
        scale /= 10;
        i++;
      }
      if (i === start) return Kind.text;
      ms = Math.floor(ms + 1e-9);
    }
  }
  let offsetMin = 0;
  if (i < e) {
    const z = b[i];
    if (z === 90 && i + 1 === e) {
      i++;
    } else if (z === 43 || z === 45) {
      const oh = digit2(b, i + 1);
      let om: number;
      if (e - i === 6 && b[i + 3] === 58) om = digit2(b, i + 4);
      else if (e - i === 5) om = digit2(b, i + 3);
      else return Kind.text;
      if (oh < 0 || oh > 23 || om < 0 || om > 59) return Kind.text;
      offsetMin = (oh * 60 + om) * (z === 45 ? -1 : 1);
      i = e;
    } else return Kind.text;
  }
  if (i !== e) return Kind.text;
  lastValue = days * MS_PER_DAY + ((hh * 60 + mm - offsetMin) * 60 + ss) * 1000 + ms;
  return Kind.timestamp;
}

/** The months' English names in lower case, as bytes. */
const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
].map((m) => Array.from(m, (ch) => ch.charCodeAt(0)));

/** The month (1-12) the letters `[s, e)` name: a full English name, its first three letters, or `Sept`, in any case; else 0. */
function monthOf(b: Uint8Array, s: number, e: number): number {
  const n = e - s;
  if (n < 3 || n > 9) return 0;
  for (let m = 0; m < 12; m++) {
    const name = MONTH_NAMES[m];
    if (n !== 3 && n !== name.length && !(m === 8 && n === 4)) continue;
    let k = 0;
    while (k < n && (b[s + k] | 32) === name[k]) k++;
    if (k === n) return m + 1;
  }
  return 0;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isLetter = (c: number) => (c | 32) >= 97 && (c | 32) <= 122;

/**
 * A date with an English month name, `[s, e)` already trimmed: `MONTH D YYYY` or `MONTH D, YYYY`
 * (one space between the parts), or `D MONTH YYYY` / `D-MONTH-YYYY` (one space or one dash, the
 * same twice). The day has one or two digits and must exist in that month; the year has four.
 */
function parseNamedDate(b: Uint8Array, s: number, e: number): KindFlag {
  if (e - s < 10 || e - s > 20) return Kind.text;
  let i = s;
  let m: number;
  let d = 0;
  const day = () => {
    const start = i;
    while (i < e && i - start < 3 && isDigit(b[i])) d = d * 10 + b[i++] - 48;
    return i - start === 1 || i - start === 2;
  };
  if (isDigit(b[s])) {
    if (!day()) return Kind.text;
    const sep = b[i];
    if (sep !== 32 && sep !== 45) return Kind.text;
    const start = ++i;
    while (i < e && isLetter(b[i])) i++;
    m = monthOf(b, start, i);
    if (m === 0 || b[i] !== sep) return Kind.text;
    i++;
  } else {
    while (i < e && isLetter(b[i])) i++;
    m = monthOf(b, s, i);
    if (m === 0 || b[i] !== 32) return Kind.text;
    i++;
    if (!day()) return Kind.text;
    if (b[i] === 44) i++;
    if (b[i] !== 32) return Kind.text;
    i++;
  }
  if (e - i !== 4 || !isDigit(b[i]) || !isDigit(b[i + 1]) || !isDigit(b[i + 2]) || !isDigit(b[i + 3])) return Kind.text;
  const y = (b[i] - 48) * 1000 + (b[i + 1] - 48) * 100 + (b[i + 2] - 48) * 10 + (b[i + 3] - 48);
  if (d < 1 || d > daysInMonth(y, m)) return Kind.text;
  lastValue = daysFromCivil(y, m, d) * MS_PER_DAY;
  return Kind.date;
}

const scratch = new Uint8Array(64);

/**
 * Classifies a JSON string value. Only missing words, dates and timestamps are recognised:
 * a JSON string that looks like a number or a boolean stays text, since JSON says so.
 */
export function classifyJsonString(str: string): KindFlag {
  const n = str.length;
  if (n === 0) return Kind.missing;
  if (n > scratch.length) return Kind.text;
  for (let k = 0; k < n; k++) {
    const c = str.charCodeAt(k);
    if (c > 127) return Kind.text;
    scratch[k] = c;
  }
  if (isMissingBytes(scratch, 0, n)) return Kind.missing;
  if (n >= 10 && (scratch[4] === 45 || scratch[4] === 47) && scratch[0] >= 48 && scratch[0] <= 57)
    return parseDateTime(scratch, 0, n);
  return parseNamedDate(scratch, 0, n);
}
