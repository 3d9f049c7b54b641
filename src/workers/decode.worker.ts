import './hold-lifeline';
import { serve, type PortLike } from './rpc';
import { createDecodeService } from './decode-service';
import { openTableCache } from './table-cache';
import type { DecodeApi } from './protocol';

const emit = serve<DecodeApi>(self as unknown as PortLike, createDecodeService(openTableCache(), (p) => emit(p)));
