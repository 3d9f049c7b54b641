/**
 * Writes an HDF5 file with h5wasm for the tests, the fuzz campaign and the e2e specs (a second
 * writer beside h5py): `build` creates groups and datasets, the file's bytes come back.
 */
import { loadHdf5 } from './hdf5';

export interface H5Dataset {
  name: string;
  data: unknown;
  shape?: number[];
  chunks?: number[];
  /** gzip level */
  compression?: number;
}
export interface H5Writer {
  create_dataset(d: H5Dataset): unknown;
  create_group(name: string): H5Writer;
}

let files = 0;

export async function writeHdf5(build: (file: H5Writer) => void): Promise<Uint8Array> {
  await loadHdf5();
  const h5 = (await import('h5wasm')) as unknown as {
    File: new (path: string, mode: 'w') => H5Writer & { close(): void };
    FS: { readFile(path: string): Uint8Array; unlink(path: string): void };
  };
  const path = `/written-${files++}.h5`;
  const f = new h5.File(path, 'w');
  try {
    build(f);
  } finally {
    f.close();
  }
  const bytes = new Uint8Array(h5.FS.readFile(path));
  h5.FS.unlink(path);
  return bytes;
}
