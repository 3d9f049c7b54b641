/**
 * A TrainEngine for tests of the training loop (trainer.test.ts, batch-channel.test.ts): it trains
 * nothing. Each step queues a loss (`lossAt(step)`, default 1) and calls `onStep`; `drain` hands the
 * queued losses back, after `readDelayMs` when given (the pause of a GPU read, during which other
 * tasks run); the rest answers plainly, and `overrides` replace any member.
 */
import type { TrainEngine } from './engine';

export interface StubEngineOptions {
  onStep?: (step: number) => void;
  lossAt?: (step: number) => number;
  readDelayMs?: number;
  overrides?: Partial<TrainEngine>;
}

export function stubEngine(o: StubEngineOptions = {}): TrainEngine {
  let stepped = 0;
  let queued: number[] = [];
  return {
    step() {
      o.onStep?.(stepped);
      queued.push(o.lossAt ? o.lossAt(stepped) : 1);
      stepped++;
    },
    async drain() {
      if (o.readDelayMs) await new Promise((r) => setTimeout(r, o.readDelayMs));
      const losses = Float32Array.from(queued);
      queued = [];
      return { losses, gpuMs: Array.from(losses, () => null) };
    },
    validate: async () => ({ loss: 1, accuracy: null }),
    misclassified: async () => [],
    parameters: async () => [],
    setMasks: async () => {},
    memory: () => ({ tensors: 0, bytes: 0, gpuBytes: 0 }),
    mixedPrecision: async () => null,
    dispose() {},
    ...o.overrides,
  };
}
