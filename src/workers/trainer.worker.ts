import './hold-lifeline';
import { serve, workerScopePort } from './rpc';
import { createTrainerService } from './trainer-service';
import type { TrainerApi } from './protocol';

const emit = serve<TrainerApi>(workerScopePort(), createTrainerService((e) => emit(e)));
