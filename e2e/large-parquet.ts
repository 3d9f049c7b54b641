/**
 * A Parquet file larger than the memory a test grants the page, written row group by row
 * group with parquet-wasm (arrow-rs) through its streaming writer, so the test process never
 * holds it either: `features` float32 columns of seeded normals and a regression target `label`
 * (a fixed linear mix of them plus noise), uncompressed so the file is as large as its data.
 */
import { createWriteStream } from 'node:fs';
import { Writable } from 'node:stream';
import { Float32, makeData, Field, RecordBatch, Schema, Struct, tableToIPC, Table } from 'apache-arrow';
import { Compression, Table as WasmTable, transformParquetStream, WriterPropertiesBuilder } from 'parquet-wasm';

export interface LargeParquet {
  rows: number;
  features: number;
  rowsPerGroup: number;
  seed: number;
}

/** xorshift32 normals (Box-Muller), seeded: the file is the same on every machine. */
function normals(seed: number) {
  let s = seed >>> 0 || 1;
  const u = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

export async function writeLargeParquet(path: string, o: LargeParquet): Promise<void> {
  const next = normals(o.seed);
  const names = [...Array.from({ length: o.features }, (_, j) => `f${j}`), 'label'];
  const weights = Float32Array.from({ length: o.features }, (_, j) => ((j % 5) - 2) / 4);
  const fields = names.map((n) => new Field(n, new Float32(), false));
  const schema = new Schema(fields);
  let written = 0;
  const batches = new ReadableStream({
    pull(controller) {
      if (written >= o.rows) {
        controller.close();
        return;
      }
      const n = Math.min(o.rowsPerGroup, o.rows - written);
      const cols = names.map(() => new Float32Array(n));
      for (let i = 0; i < n; i++) {
        let y = 0;
        for (let j = 0; j < o.features; j++) {
          const v = next();
          cols[j][i] = v;
          y += weights[j] * v;
        }
        cols[o.features][i] = y + 0.1 * next();
      }
      const children = cols.map((values) => makeData({ type: new Float32(), length: n, data: values }));
      const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, children }));
      const ipc = tableToIPC(new Table([batch]), 'stream');
      controller.enqueue(WasmTable.fromIPCStream(ipc).recordBatch(0));
      written += n;
    },
  });
  const props = new WriterPropertiesBuilder()
    .setCompression(Compression.UNCOMPRESSED)
    .setDictionaryEnabled(false)
    .setMaxRowGroupSize(o.rowsPerGroup)
    .build();
  const bytes = await transformParquetStream(batches, props);
  await bytes.pipeTo(Writable.toWeb(createWriteStream(path)) as WritableStream<Uint8Array>);
}
