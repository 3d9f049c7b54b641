/**
 * Reading Parquet and Arrow piece by piece from a source (source-chunks.ts) against reading the
 * same file whole (`readChunks`, the checked in-memory path): every file of both conformance
 * corpora gives the same pieces, or both refuse it; a projection reads only its columns' bytes;
 * a source never hands over more than one piece's bytes at once.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Table, tableFromArrays, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { readChunks } from './chunks';
import { blobSource, bytesSource, openChunked, type ByteSource } from './source-chunks';
import { Compression, writeFixture } from './parquet/fixtures/synthetic';
import { DataError, type DataTable } from './table';
import { Rng } from './rng';

const ROOTS = ['src/fixtures/conformance/parquet-testing', 'src/fixtures/conformance/arrow-testing'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return filesUnder(p);
    return /\.(parquet|arrow_file|stream)$/.test(f) ? [p] : [];
  });
}

/** Whole-file pieces, or the error. */
function wholePieces(bytes: Uint8Array, name: string): DataTable[] | DataError {
  try {
    return [...readChunks(bytes, name)];
  } catch (e) {
    if (e instanceof DataError) return e;
    throw e;
  }
}

/** A source that records each read. */
function counting(bytes: Uint8Array): ByteSource & { reads: [number, number][] } {
  const inner = bytesSource(bytes);
  const reads: [number, number][] = [];
  return { size: inner.size, reads, read: (o, l) => (reads.push([o, l]), inner.read(o, l)) };
}

async function piecewise(source: ByteSource, name: string, columns?: string[]): Promise<DataTable[] | DataError> {
  try {
    const file = await openChunked(source, name);
    if (!file) throw new Error(`${name}: not opened piecewise`);
    const out: DataTable[] = [];
    for (let k = 0; ; k++) {
      const piece = await file.read(k, columns);
      if (!piece) break;
      out.push(piece.table);
    }
    return out;
  } catch (e) {
    if (e instanceof DataError) return e;
    throw e;
  }
}

describe('reading Parquet and Arrow piece by piece from a source', () => {
  const files = ROOTS.flatMap(filesUnder);

  it('gives the pieces of a whole read for every conformance file, or refuses it too', async () => {
    expect(files.length).toBeGreaterThan(250);
    let compared = 0;
    let refused = 0;
    for (const path of files) {
      const bytes = new Uint8Array(readFileSync(path));
      const name = path.split('/').pop()!;
      // Parquet files must end with PAR1 and Arrow streams start with the continuation marker to open piecewise.
      const legacy = bytes[0] !== 0xff && !/^(PAR1|ARROW1)/.test(String.fromCharCode(...bytes.subarray(0, 6)));
      if (legacy) continue;
      const whole = wholePieces(bytes, name);
      const pieces = await piecewise(bytesSource(bytes), name);
      if (whole instanceof DataError) {
        expect(pieces, path).toBeInstanceOf(DataError);
        expect((pieces as DataError).message, path).toContain(name);
        refused++;
        continue;
      }
      expect(pieces, `${path}: ${pieces instanceof Error ? pieces.message : ''}`).not.toBeInstanceOf(DataError);
      expect((pieces as DataTable[]).length, path).toBe(whole.length);
      (pieces as DataTable[]).forEach((p, k) => expect(p, `${path} piece ${k}`).toEqual(whole[k]));
      compared++;
    }
    expect(compared).toBeGreaterThan(200);
    expect(refused).toBeGreaterThan(10);
  });

  // A file of 40 row groups (record batches) of 5 columns, one of them wide text.
  const rng = new Rng(11);
  const rows = 40 * 500;
  const data = {
    a: Float64Array.from({ length: rows }, () => rng.normal()),
    b: Int32Array.from({ length: rows }, (_, i) => i),
    c: Float32Array.from({ length: rows }, () => rng.next()),
    text: Array.from({ length: rows }, (_, i) => `row ${i} ${'x'.repeat(100 + (i % 50))}`),
    label: Array.from({ length: rows }, (_, i) => (i % 3 === 0 ? 'yes' : 'no')),
  };
  // Forty record batches: each with its own dictionaries (replacements, for the stream form), and
  // sharing one (the file form, which has no replacements).
  const one = tableFromArrays(data);
  const shared = new Table(Array.from({ length: 40 }, (_, k) => one.batches[0].slice(500 * k, 500 * (k + 1))));
  const table = Array.from({ length: 40 }, (_, k) =>
    tableFromArrays(
      Object.fromEntries(
        Object.entries(data).map(([name, v]) => [name, v.slice(500 * k, 500 * (k + 1))]),
      ) as typeof data,
    ),
  ).reduce((t, u) => t.concat(u));
  const parquet = writeFixture(table, { compression: Compression.UNCOMPRESSED, rowGroupSize: 500, dictionary: false });
  const batches = table.batches.length;

  it('reads only the columns asked for, one row group at a time, with each row group at its position', async () => {
    const source = counting(parquet);
    const file = (await openChunked(source, 'wide.parquet'))!;
    expect(file.format).toBe('parquet');
    expect(file.totalRows).toBe(rows);
    expect(file.pieces()).toBe(40);
    source.reads.length = 0;
    const whole = [...readChunks(parquet, 'wide.parquet')];
    for (const k of [17, 0, 39, 5]) {
      const piece = (await file.read(k, ['b', 'label']))!;
      expect(piece.rowStart).toBe(500 * k);
      expect(piece.table.columns.map((c) => c.name)).toEqual(['b', 'label']);
      expect(piece.table.columns).toEqual(whole[k].columns.filter((c) => c.name === 'b' || c.name === 'label'));
    }
    // Four row groups of two narrow columns: far less than 4/40 of the file, which the text column fills.
    const read = source.reads.reduce((t, [, l]) => t + l, 0);
    expect(read).toBeLessThan((parquet.length * 4) / 40 / 5);
    expect(await file.read(40)).toBeNull();
  });

  it('reads an Arrow stream and file batch by batch, in any order, from a Blob', async () => {
    for (const form of ['stream', 'file'] as const) {
      const bytes = tableToIPC(form === 'stream' ? table : shared, form);
      const source = counting(bytes);
      const file = (await openChunked(source, `t.${form}`))!;
      expect(file.format).toBe('arrow');
      const whole = [...readChunks(bytes, `t.${form}`)];
      expect(whole.length).toBe(batches);
      const last = (await file.read(batches - 1))!;
      expect(last.table).toEqual(whole[batches - 1]);
      expect(file.pieces()).toBe(batches);
      expect(file.totalRows).toBe(rows);
      expect(await file.read(batches)).toBeNull();
      const first = (await file.read(0, ['a']))!;
      expect(first.rowStart).toBe(0);
      expect(first.table.columns).toEqual(whole[0].columns.filter((c) => c.name === 'a'));
      expect(last.rowStart).toBe(rows - whole[batches - 1].rows);
      // Never the whole file in one read (the file form's one shared dictionary is most of its bytes).
      const most = Math.max(...source.reads.map(([, l]) => l));
      expect(most).toBeLessThan(form === 'stream' ? bytes.length / 20 : bytes.length);
      expect(source.reads.filter(([o, l]) => o === 0 && l === bytes.length)).toEqual([]);
      const viaBlob = (await openChunked(blobSource(new Blob([bytes as Uint8Array<ArrayBuffer>])), `t.${form}`))!;
      expect((await viaBlob.read(1))!.table).toEqual(whole[1]);
    }
  });

  it("reads an Arrow file whose first message is a record batch (apache-arrow's writer keeps the schema in the footer)", async () => {
    // Numbers only: no dictionary batch comes first (the piecewise fuzz found the first batch lost here).
    const numbers = new Table(
      Array.from({ length: 5 }, (_, k) => one.batches[0].slice(100 * k, 100 * (k + 1))).map((b) =>
        b.select(['a', 'b', 'c']),
      ),
    );
    const bytes = tableToIPC(numbers, 'file');
    const whole = [...readChunks(bytes, 'n.arrow')];
    expect(whole).toHaveLength(5);
    expect(await piecewise(bytesSource(bytes), 'n.arrow')).toEqual(whole);
  });

  it('refuses a cut-off or damaged file by name, and leaves other formats to a whole read', async () => {
    const cut = parquet.subarray(0, parquet.length - 100);
    await expect(piecewise(bytesSource(cut), 'cut.parquet')).resolves.toBeInstanceOf(DataError);
    const stream = tableToIPC(table, 'stream');
    const cutStream = await piecewise(bytesSource(stream.subarray(0, stream.length - 5000)), 'cut.arrows');
    expect((cutStream as DataError).message).toMatch(/^cut\.arrows: the Arrow stream is cut off .* truncated$/);
    expect(await openChunked(bytesSource(new TextEncoder().encode('a,b\n1,2\n')), 'x.csv')).toBeNull();
    // A source whose reads come back short (a file that shrank under it).
    const shortSource: ByteSource = {
      size: parquet.length,
      read: async (o, l) => parquet.subarray(o, Math.min(o + l, parquet.length - 4096)),
    };
    const r = await piecewise(shortSource, 'short.parquet');
    expect((r as DataError).message).toMatch(/^short\.parquet: /);
  });
});
