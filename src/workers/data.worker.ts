import './hold-lifeline';
import { serve, type PortLike } from './rpc';
import { createDataService } from './data-service';
import { openTableCache } from './table-cache';
import type { DataApi } from './protocol';

serve<DataApi>(self as unknown as PortLike, createDataService(openTableCache()));
