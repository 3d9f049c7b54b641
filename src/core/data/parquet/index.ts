/**
 * Trainbench's Parquet reader: footer, pages, codecs and encodings decoded in plain
 * TypeScript straight into DataTable columns. See reader.ts for the one-call API and
 * part.ts / merge.ts for spreading row groups over workers.
 */
export { readParquetMetadata } from './metadata';
export { readParquet, withSkipped, type ReadParquetOptions } from './reader';
export { skippedColumns } from './schema';
export { decodeClaimed, decodeRowGroups, type DataTablePart, type PartColumn } from './part';
export { chunkOrder, claim, claimsAvailable, createClaims, type ChunkRef, type ClaimSide } from './claims';
export { mergeParts } from './merge';
export { planParts, type PartTask } from './plan';
export type {
  ParquetFileInfo,
  ParquetColumnInfo,
  ParquetRowGroupInfo,
  ParquetColumnChunkInfo,
  ParquetStatistics,
} from './types';
export { decodeTasks, transferList } from './parallel';
