/**
 * Share-link data in and out of the URL fragment: JSON, deflate-raw (CompressionStream, in
 * browsers and Node alike), base64url. Unpacking is bounded and validated; every failure is a
 * ShareLinkError saying what is wrong with the link.
 */
import {
  SHARE_MAX_CHARS,
  ShareLinkError,
  fromBase64Url,
  toBase64Url,
  validatePayload,
  type SharePayload,
} from '../core/share/link';

/**
 * Decompressed links larger than this are refused while inflating, before anything is parsed.
 * Real links deflate about 3.2-3.8 times (their measured figures are noisy; measured: 64 runs of
 * 300 steps, 4 to 4,000 features each; share-pack.test.ts opens a 1.4 M-character one that
 * inflates to 3.8 MB), so the longest link accepted ({@link SHARE_MAX_CHARS}, about 1.1 MB
 * deflated) unpacks to about 4-5 MB; only near-copies of one run compress over 14 times. A link
 * that inflates past 16 MB is a deflate bomb.
 */
export const MAX_JSON_BYTES = 16 << 20;

/** A share payload nests a few levels (payload, run, config, optimizer, schedule); far more is hostile. */
export const MAX_JSON_NESTING = 32;

/**
 * Objects and lists in a link at most. Each costs JSON.parse tens of bytes however short its
 * text (`[]` is two bytes): 16 MB of `[[],[],...]` would build five million arrays. Real ones
 * are step and epoch records of 60 bytes or more, so 16 MB of them holds under 300,000.
 */
export const MAX_JSON_CONTAINERS = 1_000_000;

/**
 * What is wrong with the shape of JSON text, before JSON.parse builds anything: nesting deeper
 * than `maxDepth`, or more than `maxContainers` objects and lists (one pass over the bytes,
 * skipping strings; a 26 KB link inflating to a ten-million-deep array took seconds and a
 * gigabyte to parse). Null when neither.
 */
export function jsonShapeProblem(json: Uint8Array, maxDepth: number, maxContainers = Infinity): string | null {
  let depth = 0;
  let containers = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return `the link's data nests more than ${maxDepth} levels deep`;
      if (++containers > maxContainers)
        return `the link's data holds more than ${maxContainers.toLocaleString('en-US')} objects and lists`;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return null;
}

/** Whether JSON text nests arrays and objects deeper than `limit` (see {@link jsonShapeProblem}). */
export function nestsDeeperThan(json: Uint8Array, limit: number): boolean {
  return jsonShapeProblem(json, limit) !== null;
}

async function pipe(
  bytes: Uint8Array,
  stream: CompressionStream | DecompressionStream,
  limit = Infinity,
): Promise<Uint8Array> {
  const reader = new Blob([bytes as BlobPart]).stream().pipeThrough(stream).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      throw new ShareLinkError(`the link unpacks to more than ${limit >> 20} MB`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The fragment data for a payload: base64url of the deflated JSON. */
export async function packPayload(payload: SharePayload): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(payload));
  return toBase64Url(await pipe(json, new CompressionStream('deflate-raw')));
}

/** The payload in fragment data, validated; a ShareLinkError says what is wrong. */
export async function unpackPayload(data: string): Promise<SharePayload> {
  if (data.length === 0) throw new ShareLinkError('the link holds no data after #share=');
  if (data.length > SHARE_MAX_CHARS)
    throw new ShareLinkError(`the link is ${data.length} characters long, more than ${SHARE_MAX_CHARS}`);
  const packed = fromBase64Url(data);
  let json: Uint8Array;
  try {
    json = await pipe(packed, new DecompressionStream('deflate-raw'), MAX_JSON_BYTES);
  } catch (e) {
    if (e instanceof ShareLinkError) throw e;
    throw new ShareLinkError('the link is cut off or damaged (its data does not unpack)');
  }
  const shape = jsonShapeProblem(json, MAX_JSON_NESTING, MAX_JSON_CONTAINERS);
  if (shape) throw new ShareLinkError(shape);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch {
    throw new ShareLinkError('the link is damaged (its data is not JSON)');
  }
  return validatePayload(parsed);
}
