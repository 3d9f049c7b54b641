// Types for the decompressors of hyparquet-compressors, imported file by file so that the
// package's index (which compiles a snappy WebAssembly module on import) is never loaded.
declare module 'hyparquet-compressors/src/brotli.js' {
  export function decompressBrotli(input: Uint8Array, outputLength: number): Uint8Array;
}
declare module 'hyparquet-compressors/src/gzip.js' {
  export function gunzip(input: Uint8Array, output?: Uint8Array, inputIndex?: number, outputIndex?: number): Uint8Array;
}
