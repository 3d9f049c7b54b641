/**
 * A buffer shorter than its column (its length field in the record batch lowered, the bytes still
 * inside the body, so the framing check passes) is refused naming the column: apache-arrow read
 * such a column as zeros or NaN past the buffer's end, silently. Found by shrinking buffers by
 * hand; the values that do read are checked against the table written.
 */
import { Float64, Int16, Table, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { readArrow } from './arrow';
import { checkArrowIpc, type IpcLayout } from './arrow-ipc-check';
import { DataError } from './table';

const ROWS = 100;
const a = Array.from({ length: ROWS }, (_, i) => (i % 7 === 3 ? null : i - 50));
const b = Array.from({ length: ROWS }, (_, i) => i + 0.5);
const s = Array.from({ length: ROWS }, (_, i) => `w${i % 13}`);
const table = new Table({
  a: vectorFromArray(a, new Int16()),
  b: vectorFromArray(b, new Float64()),
  s: vectorFromArray(s, new Utf8()),
});

/** The stream with `edit(view, batch)` applied to its record batch's metadata. */
function damaged(edit: (view: DataView, at: { buffer: (i: number) => number; node: (i: number) => number }) => void) {
  const bytes = tableToIPC(table, 'stream').slice();
  const layout: IpcLayout = { messages: [], blocks: [] };
  checkArrowIpc(bytes, 'x', false, layout);
  const m = layout.messages.find((e) => e.headerType === 3)!;
  const view = new DataView(bytes.buffer);
  // Buffer i's int64 length; node i's int64 length (each list: a uint32 count, then 16-byte entries).
  edit(view, { buffer: (i) => m.buffersAt! + 4 + 16 * i + 8, node: (i) => m.nodesAt! + 4 + 16 * i });
  return bytes;
}

const setLength = (view: DataView, at: number, n: number) => view.setBigInt64(at, BigInt(n), true);

describe('Arrow buffers shorter than their column', () => {
  it('the undamaged stream reads to the values written', () => {
    const t = readArrow(tableToIPC(table, 'stream'), 'ok.arrows');
    const [ca, cb, cs] = t.columns;
    if (ca.kind !== 'numeric' || cb.kind !== 'numeric' || cs.kind !== 'categorical') throw new Error('kinds');
    expect(Array.from(ca.values, (v, i) => (ca.valid && !ca.valid[i] ? null : v))).toEqual(a);
    expect(Array.from(cb.values)).toEqual(b);
    expect(Array.from(cs.codes, (c) => cs.dictionary[c])).toEqual(s);
  });

  // Buffers: a (validity 0, values 1), b (validity 2, values 3), s (validity 4, offsets 5, bytes 6).
  const cases: [
    string,
    (v: DataView, at: { buffer: (i: number) => number; node: (i: number) => number }) => void,
    RegExp,
  ][] = [
    [
      'int16 values cut in half',
      (v, at) => setLength(v, at.buffer(1), ROWS),
      /column "a" has 50 values \(1 per row\) for 100 rows/,
    ],
    [
      'float64 values cut',
      (v, at) => setLength(v, at.buffer(3), 8 * 60),
      /column "b" has 60 values \(1 per row\) for 100 rows/,
    ],
    [
      'validity bitmap emptied where values are missing',
      (v, at) => setLength(v, at.buffer(0), 0),
      /column "a" has a validity bitmap of 0 bytes for 100 rows/,
    ],
    [
      'string offsets cut',
      (v, at) => setLength(v, at.buffer(5), 4 * 50),
      /column "s" has 50 string offsets for 100 rows/,
    ],
    [
      'string bytes cut',
      (v, at) => setLength(v, at.buffer(6), 10),
      /column "s" has string offsets out of order or past its 10 bytes of text/,
    ],
    [
      'a column node of fewer values than the batch',
      (v, at) => setLength(v, at.node(1), 40),
      /bad\.arrows: not a readable Arrow IPC stream: record batch in message 2: column "b" holds 40 values for the batch's 100 rows/,
    ],
  ];
  for (const [label, edit, message] of cases) {
    it(`${label}: refused naming the column`, () => {
      const bytes = damaged(edit);
      expect(() => readArrow(bytes, 'bad.arrows')).toThrow(DataError);
      expect(() => readArrow(bytes, 'bad.arrows')).toThrow(message);
    });
  }
});
