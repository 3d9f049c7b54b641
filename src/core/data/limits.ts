import { DataError } from './table';

/**
 * Decoding needs the file's bytes plus the decoded columns (for compressed Parquet several
 * times the file's size): we allow files up to a third of the memory the tab may use.
 */
export const MEMORY_FACTOR = 3;

function human(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let u = 0;
  while (bytes >= 1024 && u < units.length - 1) {
    bytes /= 1024;
    u++;
  }
  return `${bytes.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

/** Refuses, before reading it, a file too large for the memory available. */
export function checkFitsInMemory(fileName: string, size: number, limitBytes: number): void {
  if (size * MEMORY_FACTOR > limitBytes) {
    throw new DataError(`${fileName}: ${human(size)} is too large to load here (this tab can use about ${human(limitBytes)}, and decoding needs about ${MEMORY_FACTOR}x the file's size)`);
  }
}
