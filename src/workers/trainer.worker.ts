import './hold-lifeline';
import { serve, workerScopePort } from './rpc';
import { createTrainerService } from '../services/trainer-service';
import type { TrainerApi } from '../services/protocol';

const emit = serve<TrainerApi>(
  workerScopePort(),
  createTrainerService((e) => emit(e)),
);
