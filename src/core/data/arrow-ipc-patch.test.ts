/**
 * The rewrite of the Arrow types apache-arrow cannot read (RunEndEncoded, ListView): the caller's
 * bytes stay as they are, chunk-by-chunk reading gives the same columns as a whole read, and run
 * ends that are not increasing or do not cover their batch are refused naming the column. The
 * values themselves are checked against the corpus's JSON in arrow-conformance.test.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readArrow } from './arrow';
import { checkArrowIpc, type IpcLayout } from './arrow-ipc-check';
import { readChunks } from './chunks';
import { DataError, type Column } from './table';

const DIR = 'src/fixtures/conformance/arrow-testing/cpp-21.0.0';
const ree = (form: 'stream' | 'arrow_file') => readFileSync(`${DIR}/generated_run_end_encoded.${form}`);

function cells(col: Column): (number | string | null)[] {
  if (col.kind === 'categorical') return Array.from(col.codes, (c) => (c < 0 ? null : col.dictionary[c]));
  return Array.from(col.values, (v, i) => (col.valid && col.valid[i] === 0 ? null : v));
}

/**
 * The first record batch of a stream whose buffer 1 (the Int16 run ends of the first column,
 * "ree16_int32") holds at least two runs, fewer than its rows: where that buffer lies, its length.
 */
function firstRuns(bytes: Uint8Array): { at: number; length: number } {
  const layout: IpcLayout = { messages: [], blocks: [] };
  checkArrowIpc(bytes, 'x', false, layout);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const m of layout.messages.filter((e) => e.headerType === 3)) {
    const body = m.lengthAt + 4 + view.getInt32(m.lengthAt, true);
    const entry = m.buffersAt! + 4 + 16;
    const length = Number(view.getBigInt64(entry + 8, true));
    const rows = Number(view.getBigInt64(m.rowsAt!, true));
    if (length >= 4 && length / 2 < rows) return { at: body + Number(view.getBigInt64(entry, true)), length };
  }
  throw new Error('no batch with two runs');
}

describe('Arrow types apache-arrow cannot read, rewritten', () => {
  it("leaves the caller's bytes (a Node Buffer) as they were, so a second read gives the same table", () => {
    const bytes = ree('arrow_file');
    const before = Buffer.from(bytes);
    const first = readArrow(bytes, 'ree.arrow');
    expect(Buffer.compare(bytes, before)).toBe(0);
    const second = readArrow(bytes, 'ree.arrow');
    expect(second.columns.map(cells)).toEqual(first.columns.map(cells));
  });

  it('reads a run-end encoded file chunk by chunk (streaming mode) to the same rows as a whole read', () => {
    for (const form of ['stream', 'arrow_file'] as const) {
      const whole = readArrow(ree(form), `ree.${form}`);
      const chunks = [...readChunks(new Uint8Array(ree(form)), `ree.${form}`)];
      expect(chunks.length).toBeGreaterThan(1);
      expect(chunks.reduce((n, c) => n + c.rows, 0)).toBe(whole.rows);
      whole.columns.forEach((col, j) => {
        expect(chunks.every((c) => c.columns[j].name === col.name)).toBe(true);
        expect(
          chunks.flatMap((c) => cells(c.columns[j])),
          col.name,
        ).toEqual(cells(col));
      });
    }
  });

  it('refuses run ends that do not increase, or that end before the batch does, naming the column', () => {
    const decreasing = new Uint8Array(ree('stream'));
    const { at, length } = firstRuns(decreasing);
    const view = new DataView(decreasing.buffer);
    view.setInt16(at, 9, true);
    view.setInt16(at + 2, 3, true);
    expect(() => readArrow(decreasing, 'bad.arrows')).toThrow(DataError);
    expect(() => readArrow(decreasing, 'bad.arrows')).toThrow(
      /bad\.arrows: column "ree16_int32" \(run-end encoded\) has run end 3 after 9/,
    );

    const short = new Uint8Array(ree('stream'));
    // Runs of one row each: fewer rows than the batch holds.
    const v2 = new DataView(short.buffer);
    for (let r = 0; r < length / 2; r++) v2.setInt16(at + 2 * r, r + 1, true);
    expect(() => readArrow(short, 'short.arrows')).toThrow(
      /short\.arrows: column "ree16_int32" \(run-end encoded\) has runs that end at row \d+, but its batch holds \d+ rows/,
    );
  });

  it('lists list views as skipped with their own type name, beside usable columns', () => {
    expect(() => readArrow(readFileSync(`${DIR}/generated_list_view.stream`), 'lv.arrows')).toThrow(
      /lv\.arrows: no column .*"lv" \(ListView<Float32>\).*"llv" \(LargeListView<Float32>\)/,
    );
  });
});
