/** Imported first by each worker entry: the worker takes its lifeline lock before anything else runs. */
import { holdLifeline } from './lifeline';

holdLifeline(self as unknown as { name?: string; postMessage(message: unknown): void });
