import './hold-lifeline';
import { serve, workerScopePort } from './rpc';
import { createDecodeService } from './decode-service';
import { openTableCache } from './table-cache';
import type { DecodeApi } from './protocol';

const emit = serve<DecodeApi>(workerScopePort(), createDecodeService(openTableCache(), (p) => emit(p)));
