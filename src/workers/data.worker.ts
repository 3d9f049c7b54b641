import { serve, type PortLike } from './rpc';
import { createDataService } from './data-service';
import type { DataApi } from './protocol';

serve<DataApi>(self as unknown as PortLike, createDataService());
