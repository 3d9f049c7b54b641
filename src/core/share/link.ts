/**
 * Share links: a comparison (finished runs, the dataset they trained on, the baseline) packed
 * into the URL fragment, so that opening the link shows the same charts and table on someone
 * else's machine, and offers to run the same configurations there. Nothing leaves the browser:
 * the fragment is never sent to a server.
 *
 * Format: `#share=` + base64url(deflate-raw(JSON of a {@link SharePayload})). The payload is
 * versioned (`v`) and rebuilt field by field before use (each run through the stored-run
 * codec, which reads a run without `engine`, as every link made before the wgsl engine, as a
 * tfjs run); unknown fields, non-finite numbers and out-of-range values are a
 * {@link ShareLinkError} saying which field is wrong and why. Steps are down-sampled to
 * {@link SHARE_MAX_STEPS} per run to keep links short. Compression, and the bounds on the
 * inflated size and nesting, live with the caller (src/state/share-pack.ts: CompressionStream is
 * a browser and Node API, not part of core).
 */
import {
  MAX_ID_CHARS,
  MAX_KEY_CHARS,
  MAX_NAME_CHARS,
  downsampleSteps,
  readRun,
  type RunLimits,
  type StoredRun,
} from './run-codec';
import { readSearchRecord, type SearchRecord } from './search-codec';
import { DecodeError, count, keysOf, nullable, number, object, record, text, type Fields } from './schema';

export const SHARE_VERSION = 1;
/** The fragment prefix of a share link. */
export const SHARE_PREFIX = '#share=';
/** Step records kept per run in a link. */
export const SHARE_MAX_STEPS = 300;
/** Runs in one link at most. */
export const SHARE_MAX_RUNS = 64;
/** Longest fragment accepted (Chrome keeps URLs up to 2 MB). */
export const SHARE_MAX_CHARS = 1_500_000;

/** The dataset the runs trained on: enough to find it again and check it is the same. */
export interface SharedDataset {
  name: string;
  rows: number;
  /** sha256 of the file's bytes (the run configs carry it too). */
  fingerprint: string;
  /** Where it was loaded from (a bundled sample's path or a URL), or null for a local file. */
  url: string | null;
}

export interface SharePayload {
  v: typeof SHARE_VERSION;
  createdAt: number;
  dataset: SharedDataset | null;
  /** Configuration key the speed-up column was measured against, or null for the first row. */
  baselineKey: string | null;
  runs: StoredRun[];
  /** The search shown beside the runs (its trials with a result), when there was one. */
  search?: SearchRecord;
}

/** A link that cannot be opened, and why. */
export class ShareLinkError extends Error {
  override name = 'ShareLinkError';
}

/** The payload for `runs` (already in stored form), their steps thinned for the link. */
export function makePayload(
  runs: readonly StoredRun[],
  dataset: SharedDataset | null,
  baselineKey: string | null,
  now = Date.now(),
  search: SearchRecord | null = null,
): SharePayload {
  if (runs.length === 0) throw new ShareLinkError('there are no finished runs to share');
  if (runs.length > SHARE_MAX_RUNS)
    throw new ShareLinkError(`${runs.length} runs are more than a link holds (${SHARE_MAX_RUNS}); delete some first`);
  return {
    v: SHARE_VERSION,
    createdAt: now,
    dataset,
    baselineKey,
    runs: runs.map((r) => ({ ...r, steps: downsampleSteps(r.steps, SHARE_MAX_STEPS) })),
    ...(search ? { search } : {}),
  };
}

const PAYLOAD_KEYS = keysOf<SharePayload>({
  v: true,
  createdAt: true,
  dataset: true,
  baselineKey: true,
  runs: true,
  search: true,
});
const DATASET_FIELDS: Fields<SharedDataset> = {
  name: (v, p) => text(v, p, { max: MAX_NAME_CHARS }),
  rows: (v, p) => count(v, p),
  fingerprint: (v, p) => text(v, p, { max: MAX_ID_CHARS }),
  // Any string here; isSafeUrl decides below, with its own message.
  url: (v, p) => nullable(v, p, (u, q) => text(u, q, { max: SHARE_MAX_URL_CHARS, lines: true, controls: true })),
};
/** Longest dataset address accepted. */
export const SHARE_MAX_URL_CHARS = 2048;

/** How runs in a link are read: at most {@link SHARE_MAX_STEPS} steps each, JSON's numbers (never non-finite). */
export const LINK_LIMITS: RunLimits = { maxSteps: SHARE_MAX_STEPS, nonFiniteMeasurements: false };

/** Runs `read`, turning its DecodeError into a ShareLinkError that starts with `context`. */
function inLink<T>(context: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof DecodeError) throw new ShareLinkError(`${context}: ${e.message}`);
    throw e;
  }
}

/**
 * Checks a parsed payload and returns a fresh copy built from it (never the parsed objects), or
 * throws a ShareLinkError naming what is wrong. Format 1 has exactly the fields of
 * {@link SharePayload}; each run is read by the stored-run codec ({@link readRun}, whose comment
 * lists what is accepted) with {@link LINK_LIMITS}. Two runs with one id are refused.
 */
export function validatePayload(v: unknown): SharePayload {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ShareLinkError('the link holds no comparison');
  const version = (v as Record<string, unknown>).v;
  if (typeof version !== 'number' || !Number.isSafeInteger(version))
    throw new ShareLinkError('the link has no format version');
  if (version > SHARE_VERSION)
    throw new ShareLinkError(
      `the link was made by a newer Trainbench (format ${version}; this one reads ${SHARE_VERSION})`,
    );
  if (version !== SHARE_VERSION) throw new ShareLinkError(`the link's format ${version} is not supported`);
  const o = inLink(`the link (format ${SHARE_VERSION}) is malformed`, () => object(v, 'payload', PAYLOAD_KEYS));
  const createdAt = inLink('the link has no valid creation time', () => number(o.createdAt, 'createdAt', { min: 0 }));
  const baselineKey = inLink("the link's baseline is not a configuration key", () =>
    nullable(o.baselineKey, 'baselineKey', (k, p) => text(k, p, { max: MAX_KEY_CHARS })),
  );
  const dataset = inLink("the link's dataset description is malformed", () =>
    nullable(o.dataset, 'dataset', (d, p) => record(d, p, DATASET_FIELDS)),
  );
  if (dataset?.url != null && !isSafeUrl(dataset.url))
    throw new ShareLinkError(`the link's dataset address is not an http(s) or relative URL`);
  const given = o.runs;
  if (!Array.isArray(given) || given.length === 0) throw new ShareLinkError('the link holds no runs');
  if (given.length > SHARE_MAX_RUNS)
    throw new ShareLinkError(`the link holds ${given.length} runs, more than ${SHARE_MAX_RUNS}`);
  const seen = new Map<string, number>();
  const runs = given.map((r: unknown, i) => {
    const run = inLink(`run ${i + 1} of ${given.length} in the link is malformed`, () => readRun(r, LINK_LIMITS));
    const first = seen.get(run.id);
    if (first !== undefined)
      throw new ShareLinkError(`run ${i + 1} of ${given.length} in the link has the same id as run ${first + 1}`);
    seen.set(run.id, i);
    return run;
  });
  const search =
    o.search === undefined
      ? undefined
      : inLink("the link's search is malformed", () => readSearchRecord(o.search, 'search'));
  return { v: SHARE_VERSION, createdAt, dataset, baselineKey, runs, ...(search ? { search } : {}) };
}

/**
 * Paths on this site and http(s) URLs only (never javascript: or data: addresses). A URL parser
 * reads a backslash as a slash and drops tabs and newlines, so `/\\evil.example` or
 * `/<tab>/evil.example` would leave the site: such characters (and any control or space
 * character) are refused anywhere in the address, and a path must not start with two slashes.
 * This is a filter on the text; before anything is fetched, the address is resolved against the
 * page's origin and the origins compared (`datasetAddress` in src/state/share-actions.ts).
 */
export function isSafeUrl(url: string): boolean {
  for (let i = 0; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x5c /* backslash */) return false;
  }
  if (/\s/.test(url)) return false;
  if (url.startsWith('/')) return !url.startsWith('//');
  return /^https?:\/\/[^/]/i.test(url);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET[n >>> 18] + ALPHABET[(n >>> 12) & 63] + ALPHABET[(n >>> 6) & 63] + ALPHABET[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += ALPHABET[n >>> 18] + ALPHABET[(n >>> 12) & 63];
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += ALPHABET[n >>> 18] + ALPHABET[(n >>> 12) & 63] + ALPHABET[(n >>> 6) & 63];
  }
  return out;
}

const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

/** Decodes base64url (padding optional); a character outside the alphabet is an error naming its position. */
export function fromBase64Url(text: string): Uint8Array {
  // Trailing padding trimmed by a backwards scan: /=+$/ backtracks quadratically on a long run
  // of '=' that is not at the end.
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61) end--;
  const s = end === text.length ? text : text.slice(0, end);
  if (s.length % 4 === 1) throw new ShareLinkError('the link is cut off (its data has an impossible length)');
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? LOOKUP[c] : -1;
    if (v < 0) throw new ShareLinkError(`the link's data has a stray character at position ${i + 1}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 255;
    }
  }
  return out.subarray(0, o);
}
