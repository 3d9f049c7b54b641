import { RecordBatchReader, Table } from 'apache-arrow';
import { arrowError, openArrow, readArrowTable } from './arrow';
import { readParquet, readParquetMetadata } from './parquet';
import { sniffFormat, readTable } from './read';
import { loadedHdf5, readHdf5Chunks } from './hdf5';
import { readTfRecordChunks } from './tfrecord';
import { DataError, type DataTable } from './table';

/**
 * A file read piece by piece (Arrow record batches, Parquet row groups, runs of TFRecord records), so training can
 * start before the whole file is decoded. Formats without natural pieces (CSV, JSON) come
 * as one chunk.
 */
export function* readChunks(bytes: Uint8Array, fileName: string): Generator<DataTable> {
  const format = sniffFormat(bytes, fileName);
  if (format === 'arrow') {
    // Framing checked against the bytes, and types apache-arrow cannot read rewritten, as for a whole read.
    const { source, kinds, fileForm } = openArrow(bytes, fileName);
    let reader;
    try {
      reader = RecordBatchReader.from(source);
    } catch (e) {
      throw arrowError(e, fileName, fileForm);
    }
    const batches = reader[Symbol.iterator]();
    let any = false;
    for (;;) {
      let next;
      try {
        next = batches.next();
      } catch (e) {
        throw arrowError(e, fileName, fileForm);
      }
      if (next.done) break;
      any = true;
      yield readArrowTable(new Table([next.value]), fileName, kinds);
    }
    if (!any) throw new DataError(`${fileName}: the Arrow file holds no record batches`);
    return;
  }
  if (format === 'parquet') {
    const info = readParquetMetadata(bytes, fileName);
    for (let g = 0; g < info.rowGroups.length; g++) yield readParquet(bytes, fileName, { rowGroups: [g] });
    return;
  }
  if (format === 'hdf5') {
    // The group with the most rows, read 65,536 rows at a time (prepareReader loads the library first).
    const lib = loadedHdf5();
    if (!lib) throw new DataError(`${fileName}: the HDF5 reader is not loaded (prepareReader first)`);
    yield* readHdf5Chunks(lib, bytes, fileName);
    return;
  }
  if (format === 'tfrecord') {
    yield* readTfRecordChunks(bytes, fileName);
    return;
  }
  yield readTable(bytes, fileName);
}
