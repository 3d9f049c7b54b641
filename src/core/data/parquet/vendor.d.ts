// Types for the decompressors of hyparquet-compressors, imported file by file so that the
// package's index (which compiles a snappy WebAssembly module on import) is never loaded.
declare module 'hyparquet-compressors/src/brotli.js' {
  export function decompressBrotli(input: Uint8Array, outputLength: number): Uint8Array;
}
declare module 'hyparquet-compressors/src/gzip.js' {
  export function gunzip(input: Uint8Array, output?: Uint8Array, inputIndex?: number, outputIndex?: number): Uint8Array;
}

// parquetjs-lite (a third, pure-JS Parquet writer, used by the tests only): the parts they use.
declare module 'parquetjs-lite' {
  interface FieldSpec {
    type?: string;
    optional?: boolean;
    repeated?: boolean;
    compression?: string;
    encoding?: string;
    fields?: Record<string, FieldSpec>;
  }
  export class ParquetSchema {
    constructor(fields: Record<string, FieldSpec>);
  }
  export class ParquetWriter {
    static openFile(
      schema: ParquetSchema,
      path: string,
      opts?: { useDataPageV2?: boolean; rowGroupSize?: number },
    ): Promise<ParquetWriter>;
    appendRow(row: Record<string, unknown>): Promise<void>;
    close(): Promise<void>;
  }
  const parquet: { ParquetSchema: typeof ParquetSchema; ParquetWriter: typeof ParquetWriter };
  export default parquet;
}
