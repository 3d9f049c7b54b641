/**
 * A request an index cannot answer, or a buffer it cannot read: NaN coordinates, a query of
 * the wrong dimension, k out of range, zero rows, a foreign or truncated buffer. The message
 * says what was wrong and where (row, dimension, expected and actual sizes).
 */
export class IndexError extends Error {
  override readonly name = 'IndexError';
}
