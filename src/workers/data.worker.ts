import './hold-lifeline';
import { serve, workerScopePort } from './rpc';
import { createDataService } from './data-service';
import { openTableCache } from './table-cache';
import type { DataApi } from './protocol';

serve<DataApi>(workerScopePort(), createDataService(openTableCache()));
