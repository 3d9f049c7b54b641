import './hold-lifeline';
import { serve, type PortLike } from './rpc';
import { createTrainerService } from './trainer-service';
import type { TrainerApi } from './protocol';

const emit = serve<TrainerApi>(self as unknown as PortLike, createTrainerService((e) => emit(e)));
