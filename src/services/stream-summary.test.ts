// The statistics of a file streamed from disk (a file too large to load) when a column changes
// type between pieces: the scan goes on, names the column and why, and leaves it out of the
// default features, since a run on it would stop at the change.
import { Float64, Int64, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { streamedSummary } from './decode-service';

function batch(ids: bigint[], from: number) {
  return new Table({
    id: vectorFromArray(ids, new Int64()),
    x: vectorFromArray(
      ids.map((_, i) => (from + i) * 0.5),
      new Float64(),
    ),
    label: vectorFromArray(
      ids.map((_, i) => ((from + i) % 2 ? 'a' : 'b')),
      new Utf8(),
    ),
  }).batches[0];
}

describe('streamed statistics', () => {
  it('note a column that reads as numbers in one record batch and as text in the next, and leave it out of the features', async () => {
    // IDs below 2^53 in the first batch (numbers), past it in the second (kept as their digits).
    const first = batch(
      Array.from({ length: 50 }, (_, i) => BigInt(i * 977)),
      0,
    );
    const second = batch(
      Array.from({ length: 50 }, (_, i) => 2n ** 53n + BigInt(i)),
      50,
    );
    const bytes = tableToIPC(new Table([first, second]), 'stream');
    const summary = await streamedSummary('ids.arrows', new Blob([bytes.slice()]));
    expect(summary.rows).toBe(100);
    expect(summary.typeChanged?.map((c) => c.column)).toEqual(['id']);
    expect(summary.typeChanged?.[0].reason).toMatch(/column "id" reads as text from row 50 on.*2\^53 - 1/);
    expect(summary.defaultLabel).toBe('label');
    expect(summary.defaultFeatures).toEqual(['x']);
    // A file whose columns keep their types has no such note.
    const plain = await streamedSummary(
      'plain.arrows',
      new Blob([tableToIPC(new Table([first, first]), 'stream').slice()]),
    );
    expect(plain.typeChanged).toBeUndefined();
    expect(plain.defaultFeatures).toContain('x');
  });
});
