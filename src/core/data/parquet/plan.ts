/** Splits the decoding of a file over several workers, balancing the work by bytes. */
import { withFileName } from './errors';
import { selectColumns } from './part';
import type { ParquetFileInfo } from './types';

/** One call of decodeRowGroups for a worker: these columns of these row groups. */
export interface PartTask {
  readonly rowGroups: number[];
  readonly columns: string[];
}

/**
 * Splits the file's column chunks, taken column by column (each column's row groups in order),
 * into `workers` contiguous runs of about equal weight (a chunk weighs its uncompressed bytes
 * plus a few per row), and returns each worker's decodeRowGroups calls. Most columns thus land
 * whole in one worker, so mergeParts can keep their arrays without copying; at most
 * `workers - 1` columns are split, at row-group boundaries. `columns` selects columns
 * (default: all readable ones, as readParquet; a file with none is refused).
 */
export function planParts(info: ParquetFileInfo, workers: number, columns?: readonly string[]): PartTask[][] {
  const names = columns ?? withFileName(info.fileName, () => selectColumns(info).map((c) => c.name));
  const cols = names.map((n) => info.columns.find((c) => c.name === n)).filter((c) => c !== undefined);
  const chunks: { rg: number; col: string; weight: number }[] = [];
  for (const c of cols) {
    info.rowGroups.forEach((g, rg) =>
      chunks.push({ rg, col: c.name, weight: g.columns[c.index].uncompressedSize + 2 * g.numRows + 1 }),
    );
  }
  const n = Math.max(1, Math.min(Math.floor(workers), chunks.length || 1));
  const total = chunks.reduce((a, c) => a + c.weight, 0);
  const plans: PartTask[][] = Array.from({ length: n }, () => []);
  let w = 0;
  let acc = 0;
  for (const ch of chunks) {
    // Move to the next worker once this one has its share (judged at the chunk's midpoint).
    while (w < n - 1 && acc + ch.weight / 2 > (total * (w + 1)) / n) w++;
    acc += ch.weight;
    const tasks = plans[w];
    const last = tasks[tasks.length - 1];
    if (last && last.columns[0] === ch.col) last.rowGroups.push(ch.rg);
    else tasks.push({ rowGroups: [ch.rg], columns: [ch.col] });
  }
  return plans;
}
