/**
 * Seeded fuzz of the HDF5 reader (issue 16): files written by h5py and by h5wasm, damaged and
 * hostile, read in a child process with a time and heap limit: no hang, every outcome a table
 * or a DataError in the file's terms (never the HDF5 library's text; a read the library never
 * finishes is stopped at a deadline, as the workbench stops it). Without python3-h5py
 * (scripts/ensure-h5py.sh) only the h5wasm-written files are used. `TRAINBENCH_FUZZ_CASES`
 * sets the campaign size (npm run fuzz: a longer one).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeHdf5 } from '../hdf5.test-support';
import { runCampaign } from './campaign.test-support';

const CASES = Number(process.env.TRAINBENCH_FUZZ_CASES ?? 600);

const H5PY = String.raw`
import sys, h5py, numpy as np
out = sys.argv[1]
rng = np.random.default_rng(3)
with h5py.File(out + '/a.h5', 'w') as f:
    t = f.create_group('train')
    t.create_dataset('x', data=rng.normal(size=(300, 3)), chunks=(50, 3), compression='gzip', shuffle=True)
    t.create_dataset('y', data=np.array([b'a', b'b'])[rng.integers(0, 2, size=300)])
    t.create_dataset('k', data=rng.integers(0, 5, size=300), fletcher32=True, chunks=(100,))
    f.create_group('test').create_dataset('x', data=rng.normal(size=40))
with h5py.File(out + '/b.h5', 'w', libver='latest') as f:
    rec = np.zeros(200, dtype=[('a', 'f4'), ('b', 'i8'), ('c', 'S3')])
    rec['a'] = rng.normal(size=200); rec['b'] = rng.integers(0, 9, size=200)
    f.create_dataset('rec', data=rec, chunks=(64,), compression='gzip')
    f.create_dataset('img', data=rng.integers(0, 255, size=(200, 4, 4), dtype='u1'))
    f.create_dataset('e', data=rng.integers(0, 2, size=200).astype('u1'), dtype=h5py.enum_dtype({'NO': 0, 'YES': 1}, basetype='u1'))
`;

const h5wasmFile = () =>
  writeHdf5((f) => {
    f.create_dataset({ name: 'v', data: new Float64Array(150).map((_, i) => i / 3) });
    f.create_dataset({ name: 'm', data: new Int32Array(600).map((_, i) => i), shape: [150, 4] });
    f.create_dataset({ name: 's', data: Array.from({ length: 150 }, (_, i) => `s${i % 7}`) });
  });

describe(`HDF5 reader fuzz (${CASES} damaged and hostile files)`, () => {
  it('no hang, no library text: a table or a DataError for every case', async () => {
    const files: { name: string; base64: string }[] = [
      { name: 'h5wasm.h5', base64: Buffer.from(await h5wasmFile()).toString('base64') },
    ];
    const dir = mkdtempSync(join(tmpdir(), 'trainbench-h5fuzz-'));
    if (spawnSync('/usr/bin/python3', ['-c', H5PY, dir]).status === 0) {
      for (const n of ['a.h5', 'b.h5']) files.push({ name: n, base64: readFileSync(join(dir, n)).toString('base64') });
    } else if (process.env.CI) throw new Error('python3-h5py is missing (scripts/ensure-h5py.sh installs it)');
    const { counts } = runCampaign({
      child: 'src/core/data/fuzz/hdf5-fuzz-child.test-support.ts',
      seed: 19,
      cases: CASES,
      input: JSON.stringify(files),
      msPerCase: 200,
    });
    expect(counts.DataError, JSON.stringify(counts)).toBeGreaterThan(CASES / 10);
    expect(counts.table, JSON.stringify(counts)).toBeGreaterThan(CASES / 10);
  }, 900_000);
});
