/** Splits the decoding of a file over several workers, balancing the work by bytes. */
import type { ParquetFileInfo } from './types';

/** One call of decodeRowGroups for a worker: these columns of these row groups. */
export interface PartTask {
  readonly rowGroups: number[];
  readonly columns: string[];
}

/**
 * Assigns every (row group, column) chunk to one of `workers` workers, heaviest first to the
 * least-loaded worker (a chunk weighs its uncompressed bytes plus a few per row), and returns
 * for each worker the decodeRowGroups calls to make (one per column). Each worker's parts,
 * merged with mergeParts, give the whole table. `columns` selects columns (default: all readable).
 */
export function planParts(info: ParquetFileInfo, workers: number, columns?: readonly string[]): PartTask[][] {
  const names = columns ?? info.columns.filter((c) => c.unsupported === undefined).map((c) => c.name);
  const cols = names.map((n) => info.columns.find((c) => c.name === n)).filter((c) => c !== undefined);
  const chunks: { rg: number; col: string; weight: number }[] = [];
  info.rowGroups.forEach((g, rg) => {
    for (const c of cols) chunks.push({ rg, col: c.name, weight: g.columns[c.index].uncompressedSize + 2 * g.numRows + 1 });
  });
  chunks.sort((a, b) => b.weight - a.weight || a.rg - b.rg);
  const n = Math.max(1, Math.floor(workers));
  const load = new Array<number>(n).fill(0);
  const assigned: Map<string, number[]>[] = Array.from({ length: n }, () => new Map());
  for (const ch of chunks) {
    let w = 0;
    for (let i = 1; i < n; i++) if (load[i] < load[w]) w = i;
    load[w] += ch.weight;
    const m = assigned[w];
    m.set(ch.col, [...(m.get(ch.col) ?? []), ch.rg]);
  }
  return assigned.map((m) => [...m.entries()].map(([col, rgs]) => ({ rowGroups: rgs.sort((a, b) => a - b), columns: [col] })));
}
