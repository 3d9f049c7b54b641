import { IndexError } from './errors';

/**
 * The shared 32-byte header of every index buffer (kdbush style):
 * byte 0 magic (one per index kind), byte 1 format version, byte 2 element type, byte 3
 * reserved; then seven uint32 fields whose meaning each index defines. Typed arrays follow
 * at byte 32, each starting on an 8-byte boundary.
 */
export const HEADER_BYTES = 32;

/** Element type codes stored in byte 2. */
export const ELEMENT_FLOAT32 = 1;
export const ELEMENT_UINT32 = 2;

/** Writes magic, version and element type, and returns the uint32 view of the seven fields. */
export function writeHeader(buf: ArrayBuffer, magic: number, version: number, element: number): Uint32Array {
  const b = new Uint8Array(buf, 0, 4);
  b[0] = magic;
  b[1] = version;
  b[2] = element;
  return new Uint32Array(buf, 4, 7);
}

/** Checks magic, version and element type of `buf` and returns the seven header fields. */
export function readHeader(
  buf: ArrayBuffer,
  what: string,
  magic: number,
  version: number,
  element: number,
): Uint32Array {
  if (!(buf instanceof ArrayBuffer)) throw new IndexError(`${what}.from: expected an ArrayBuffer`);
  if (buf.byteLength < HEADER_BYTES)
    throw new IndexError(
      `${what}.from: buffer of ${buf.byteLength} bytes is shorter than the ${HEADER_BYTES}-byte header`,
    );
  const b = new Uint8Array(buf, 0, 4);
  if (b[0] !== magic)
    throw new IndexError(
      `${what}.from: not a ${what} buffer (magic byte 0x${b[0].toString(16)}, expected 0x${magic.toString(16)})`,
    );
  if (b[1] !== version)
    throw new IndexError(`${what}.from: format version ${b[1]} is not supported (this build reads version ${version})`);
  if (b[2] !== element)
    throw new IndexError(`${what}.from: element type ${b[2]} is not supported (expected ${element})`);
  return new Uint32Array(buf, 4, 7);
}

/** Rounds a byte offset up to the next multiple of 8. */
export function align8(bytes: number): number {
  return Math.ceil(bytes / 8) * 8;
}

/** Throws unless `buf` holds at least `bytes` bytes. */
export function checkLength(buf: ArrayBuffer, bytes: number, what: string): void {
  if (buf.byteLength < bytes)
    throw new IndexError(
      `${what}.from: buffer of ${buf.byteLength} bytes is truncated (the header describes ${bytes} bytes)`,
    );
}
