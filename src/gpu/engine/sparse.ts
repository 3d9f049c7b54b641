/**
 * Sparse structure of a pruned dense layer, for the CSR kernels (sparse-*.wgsl): its kept
 * weights by output column (CSC, for the forward product and the weight gradients) and by input
 * row (CSR, for the input gradient). Entries hold (index, flat position), never a value: the
 * kernels read the weights from the optimizer's flat buffer, so only a mask update changes
 * the structure. Pure: the engine uploads what this returns.
 */
import { modelInputs, rowOf, type LayerLayout } from './layout';

export interface SparseStructure {
  /** Kept weights. */
  nnz: number;
  /** N + 1 offsets into `csc`. */
  colPtr: Uint32Array;
  /** Pairs (input row r of the flat block, flat index), column by column, rows ascending. */
  csc: Uint32Array;
  /** K + 1 offsets (the block's K rows, padding rows empty) into `csr`. */
  rowPtr: Uint32Array;
  /** Pairs (output column n, flat index), row by row, columns ascending. */
  csr: Uint32Array;
}

/** The layer's structure under `mask` (1 keep, 0 pruned) over its kernel [inputs, N] in row-major order. */
export function sparseStructure(ly: LayerLayout, mask: Uint8Array): SparseStructure {
  const inputs = modelInputs(ly);
  const { N, K } = ly;
  if (mask.length !== inputs * N) throw new Error(`a mask of ${mask.length} values for a ${inputs} x ${N} kernel`);
  const colCount = new Uint32Array(N + 1);
  const rowCount = new Uint32Array(K + 1);
  let nnz = 0;
  for (let k = 0; k < inputs; k++) {
    const r = rowOf(ly, k);
    for (let n = 0; n < N; n++) {
      if (!mask[k * N + n]) continue;
      colCount[n + 1]++;
      rowCount[r + 1]++;
      nnz++;
    }
  }
  for (let n = 0; n < N; n++) colCount[n + 1] += colCount[n];
  for (let r = 0; r < K; r++) rowCount[r + 1] += rowCount[r];
  const colPtr = colCount.slice();
  const rowPtr = rowCount.slice();
  const csc = new Uint32Array(2 * Math.max(1, nnz));
  const csr = new Uint32Array(2 * Math.max(1, nnz));
  // Rows ascend with k (rowOf is increasing), so filling in k order keeps each column sorted.
  for (let k = 0; k < inputs; k++) {
    const r = rowOf(ly, k);
    for (let n = 0; n < N; n++) {
      if (!mask[k * N + n]) continue;
      const flat = ly.wOff + r * ly.stride + n;
      const c = colCount[n]++;
      csc[2 * c] = r;
      csc[2 * c + 1] = flat;
      const w = rowCount[r]++;
      csr[2 * w] = n;
      csr[2 * w + 1] = flat;
    }
  }
  return { nnz, colPtr, csc, rowPtr, csr };
}

/** Layers at least this sparse are timed against their dense products; sparser ones may switch. */
export const SPARSE_CANDIDATE = 0.5;
