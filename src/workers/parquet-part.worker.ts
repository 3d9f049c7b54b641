/**
 * A helper of the decode worker: decodes its share of a Parquet file's column chunks, so a
 * load uses a second core. Same core functions as everywhere else (planParts / decodeTasks).
 */
import { decodeTasks, transferList } from '../core/data/parquet';
import { serve, transfer, type PortLike } from './rpc';
import type { ParquetPartApi } from './protocol';

serve<ParquetPartApi>(self as unknown as PortLike, {
  decode({ bytes, info, tasks }) {
    const parts = decodeTasks(new Uint8Array(bytes), info, tasks);
    return transfer(parts, transferList(parts));
  },
});
