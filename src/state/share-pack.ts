/**
 * Share-link data in and out of the URL fragment: JSON, deflate-raw (CompressionStream, in
 * browsers and Node alike), base64url. Unpacking is bounded and validated; every failure is a
 * ShareLinkError saying what is wrong with the link.
 */
import { SHARE_MAX_CHARS, ShareLinkError, fromBase64Url, toBase64Url, validatePayload, type SharePayload } from '../core/share/link';

/** Decompressed links larger than this are refused (a link is a few hundred kB at most). */
const MAX_JSON_BYTES = 32 << 20;

/** A share payload nests a few levels (payload, run, config, optimizer, schedule); far more is hostile. */
const MAX_JSON_NESTING = 32;

/**
 * Whether JSON text nests arrays and objects deeper than `limit`: one pass over the bytes,
 * skipping strings, before JSON.parse builds anything (a 26 KB link inflating to a ten-million-deep
 * array took seconds and a gigabyte to parse).
 */
export function nestsDeeperThan(json: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream, limit = Infinity): Promise<Uint8Array> {
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
  if (data.length > SHARE_MAX_CHARS) throw new ShareLinkError(`the link is ${data.length} characters long, more than ${SHARE_MAX_CHARS}`);
  const packed = fromBase64Url(data);
  let json: Uint8Array;
  try {
    json = await pipe(packed, new DecompressionStream('deflate-raw'), MAX_JSON_BYTES);
  } catch (e) {
    if (e instanceof ShareLinkError) throw e;
    throw new ShareLinkError('the link is cut off or damaged (its data does not unpack)');
  }
  if (nestsDeeperThan(json, MAX_JSON_NESTING)) throw new ShareLinkError(`the link's data nests more than ${MAX_JSON_NESTING} levels deep`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch {
    throw new ShareLinkError('the link is damaged (its data is not JSON)');
  }
  return validatePayload(parsed);
}

