import './hold-lifeline';
import { serve, workerScopePort } from './rpc';
import { createDataService } from '../services/data-service';
import { openTableCache } from './table-cache';
import { openPieceCache } from './piece-cache-opfs';
import type { DataApi } from '../services/protocol';

serve<DataApi>(workerScopePort(), createDataService(openTableCache(), openPieceCache()));
