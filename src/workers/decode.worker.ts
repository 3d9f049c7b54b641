import './hold-lifeline';
import { serve, workerScopePort } from './rpc';
import { createDecodeService } from '../services/decode-service';
import { openTableCache } from './table-cache';
import { startParquetHelper } from './parquet-helper';
import type { DecodeApi } from '../services/protocol';

const emit = serve<DecodeApi>(
  workerScopePort(),
  createDecodeService(openTableCache(), (p) => emit(p), startParquetHelper),
);
