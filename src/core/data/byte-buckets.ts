/**
 * Raw bytes (Arrow Binary, FixedSizeBinary, BinaryView; Parquet FIXED_LEN_BYTE_ARRAY and UUID)
 * are no category a model can learn from as they are: ids, hashes, encoded blobs. They are read,
 * value by value, into one of 65,536 buckets by a hash of their bytes (FNV-1a, 32 bits, folded to
 * 16), so a column costs an Int32Array of codes and at most 65,536 bucket names whatever the
 * values hold. Such a column (`bytes: true`) is never a default feature or label: a user picks
 * it, and then it trains as a categorical (one-hot under 64 buckets seen, else feature-hashed).
 */

/** Buckets a bytes column is hashed into. */
export const BYTE_BUCKETS = 65_536;

/** FNV-1a over bytes[start, start + length), 32 bits, unsigned. */
export function fnv1aBytes(bytes: ArrayLike<number>, start: number, length: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < length; i++) h = Math.imul(h ^ bytes[start + i], 0x01000193);
  return h >>> 0;
}

/** The bucket of a value: the 32-bit hash folded to 16 bits. */
export function byteBucket(bytes: ArrayLike<number>, start: number, length: number): number {
  const h = fnv1aBytes(bytes, start, length);
  return (h ^ (h >>> 16)) & (BYTE_BUCKETS - 1);
}

/** A bucket's name in a column's dictionary: `#` and four hex digits. */
export const bucketName = (bucket: number) => `#${bucket.toString(16).padStart(4, '0')}`;

/**
 * Codes for byte values by bucket, dense in order of first appearance (the interface of the
 * string interner, so the Parquet decoder uses either).
 */
export class ByteBuckets {
  private readonly codeOf = new Int32Array(BYTE_BUCKETS).fill(-1);
  private readonly buckets: number[] = [];

  get size(): number {
    return this.buckets.length;
  }

  intern(bytes: Uint8Array, start: number, length: number): number {
    const b = byteBucket(bytes, start, length);
    let code = this.codeOf[b];
    if (code < 0) {
      code = this.codeOf[b] = this.buckets.length;
      this.buckets.push(b);
    }
    return code;
  }

  strings(): string[] {
    return this.buckets.map(bucketName);
  }
}
