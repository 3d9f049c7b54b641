/**
 * A helper of the decode worker: decodes its share of a Parquet file's column chunks, so a
 * load uses a second core. Same core functions as everywhere else: fixed tasks (planParts /
 * decodeTasks), or chunks claimed from the back while the decode worker claims from the front.
 */
import { claim, decodeClaimed, decodeTasks, transferList } from '../core/data/parquet';
import { serve, workerScopePort } from './rpc';
import { transfer } from '../services/transfer';
import type { ParquetPartApi } from '../services/protocol';

serve<ParquetPartApi>(workerScopePort(), {
  ping() {
    return true;
  },
  decode(job) {
    const bytes = new Uint8Array(job.bytes);
    const parts =
      'claims' in job
        ? decodeClaimed(bytes, job.info, job.chunks, () => claim(job.claims, 'back'))
        : decodeTasks(bytes, job.info, job.tasks);
    return transfer(parts, transferList(parts));
  },
});
