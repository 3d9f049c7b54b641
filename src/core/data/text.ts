import { DataError } from './table';

/** Text helpers shared by the CSV and JSON readers. */

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Length of a UTF-8 byte order mark at the start of `bytes` (3 or 0). */
export function bomLength(bytes: Uint8Array): number {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
}

/** 1-based line number of byte `offset` (counts LF, and CR not followed by LF). */
export function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  const end = Math.min(offset, bytes.length);
  for (let i = 0; i < end; i++) {
    const c = bytes[i];
    if (c === 10 || (c === 13 && bytes[i + 1] !== 10)) line++;
  }
  return line;
}

/**
 * Throws "<file>: not a text file" when the first 4 KiB hold a NUL byte (binary data, or
 * UTF-16 text) or are not valid UTF-8. Later bytes are validated as they are decoded.
 */
export function assertText(bytes: Uint8Array, fileName: string): void {
  let end = Math.min(bytes.length, 4096);
  const utf16 =
    bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
  if (utf16)
    throw new DataError(`${fileName}: not a text file Trainbench can read (it is UTF-16 text; save it as UTF-8)`);
  for (let i = 0; i < end; i++) {
    if (bytes[i] === 0) throw new DataError(`${fileName}: not a text file (NUL byte at offset ${i}; binary data?)`);
  }
  // Do not cut a multi-byte sequence at the end of the sample.
  if (end < bytes.length) {
    let back = 0;
    while (back < 3 && end > 0 && (bytes[end - 1] & 0xc0) === 0x80) {
      end--;
      back++;
    }
    if (end > 0 && bytes[end - 1] >= 0xc0) end--;
  }
  try {
    fatalUtf8.decode(bytes.subarray(0, end));
  } catch {
    throw new DataError(`${fileName}: not a text file (the first bytes are not valid UTF-8)`);
  }
}

/**
 * Decodes bytes `[s, e)` as UTF-8, throwing a DataError that names the file and line when
 * they are not valid UTF-8. ASCII-only ranges skip the TextDecoder (much cheaper per call).
 */
export function decodeRange(bytes: Uint8Array, s: number, e: number, fileName: string): string {
  const len = e - s;
  if (len <= 64) {
    let ascii = true;
    for (let i = s; i < e; i++) {
      if (bytes[i] > 127) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, bytes.subarray(s, e) as unknown as number[]);
  }
  try {
    return fatalUtf8.decode(bytes.subarray(s, e));
  } catch {
    throw new DataError(
      `${fileName}: line ${lineAt(bytes, s)}: the text is not valid UTF-8 (is the file in another encoding?)`,
    );
  }
}

/** Decodes a whole file (after any BOM) as UTF-8, or throws "<file>: not a text file". */
export function decodeAll(bytes: Uint8Array, fileName: string): string {
  try {
    return fatalUtf8.decode(bytes.subarray(bomLength(bytes)));
  } catch {
    throw new DataError(`${fileName}: not a text file (it is not valid UTF-8)`);
  }
}
