/**
 * A small typed request/response layer over anything with `postMessage` (a Worker, a
 * MessagePort, a worker's global scope). Each call carries an id; the reply resolves or
 * rejects the matching promise with a WorkerError that keeps the worker's message. Events
 * (metrics) flow one way beside the calls. Binary payloads go in transfer lists, never cloned.
 */

import { unwrap, type ApiShape, type Handlers, type Transferring } from '../services/transfer';

export interface PortLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
  start?(): void;
}

/** A Worker or a MessagePort as the port `serve` and `RpcClient` talk through (both fit PortLike as they are). */
export function asPort(port: Worker | MessagePort): PortLike {
  return port;
}

/**
 * The global scope of the dedicated worker this code runs in, as a port. The project is
 * type-checked with the DOM library, where `self` is a Window (whose `postMessage` takes a target
 * origin); in a dedicated worker it is a DedicatedWorkerGlobalScope, whose `postMessage` and
 * message events are PortLike's. This is the one place that says so.
 */
export function workerScopePort(): PortLike {
  return globalThis as unknown as PortLike;
}

export type RpcMessage =
  | { kind: 'call'; id: number; method: string; args: unknown }
  | { kind: 'reply'; id: number; ok: true; result: unknown }
  | { kind: 'reply'; id: number; ok: false; error: { name: string; message: string } }
  | { kind: 'event'; event: unknown };

/** The error a call rejects with; `cause` is the error's class name in the worker (DataError, ConfigError...). */
export class WorkerError extends Error {
  override readonly name = 'WorkerError';
  constructor(
    message: string,
    readonly kind: string,
  ) {
    super(message);
  }
}

/** Answers calls arriving on `port` with `handlers`; returns a function that emits events. */
export function serve<A extends ApiShape>(
  port: PortLike,
  handlers: Handlers<A>,
): (event: unknown, transfer?: Transferable[]) => void {
  port.addEventListener('message', (e: MessageEvent) => {
    const msg = e.data as RpcMessage;
    if (!msg || msg.kind !== 'call') return;
    const handler = handlers[msg.method as keyof A];
    const reply = (m: RpcMessage, t: Transferable[] = []) => port.postMessage(m, t);
    if (!handler) {
      reply({
        kind: 'reply',
        id: msg.id,
        ok: false,
        error: { name: 'UsageError', message: `unknown method "${msg.method}"` },
      });
      return;
    }
    Promise.resolve()
      .then(() => handler(msg.args as A[keyof A]['args']))
      .then(
        (r) => {
          const { value, transfer: t } = unwrap(r);
          reply({ kind: 'reply', id: msg.id, ok: true, result: value }, t);
        },
        (err: unknown) => {
          const error =
            err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) };
          reply({ kind: 'reply', id: msg.id, ok: false, error });
        },
      );
  });
  port.start?.();
  return (event, t = []) => port.postMessage({ kind: 'event', event } satisfies RpcMessage, t);
}

/** The calling side: `call('load', args)` returns a promise of the typed result. */
export class RpcClient<A extends ApiShape, E = unknown> {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Set<(event: E) => void>();

  private readonly onMessage = (e: MessageEvent) => this.receive(e.data as RpcMessage);

  constructor(private readonly port: PortLike) {
    port.addEventListener('message', this.onMessage);
    port.start?.();
  }

  /** Stops listening to the port (so that another client can take it over); pending calls fail. */
  dispose(): void {
    this.port.removeEventListener('message', this.onMessage);
    this.failAll('the connection was handed over');
    this.listeners.clear();
  }

  call<K extends keyof A & string>(
    method: K,
    args: A[K]['args'] | Transferring<A[K]['args']>,
  ): Promise<A[K]['result']> {
    const id = this.nextId++;
    const { value, transfer: t } = unwrap(args);
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.port.postMessage({ kind: 'call', id, method, args: value } satisfies RpcMessage, t);
    });
  }

  /** Subscribes to events; returns the unsubscribe function. */
  onEvent(listener: (event: E) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Rejects every pending call (the worker died or was replaced). */
  failAll(message: string): void {
    for (const w of this.waiting.values()) w.reject(new WorkerError(message, 'WorkerDied'));
    this.waiting.clear();
  }

  get pendingCalls(): number {
    return this.waiting.size;
  }

  private receive(msg: RpcMessage): void {
    if (!msg) return;
    if (msg.kind === 'event') {
      for (const l of this.listeners) l(msg.event as E);
      return;
    }
    if (msg.kind !== 'reply') return;
    const w = this.waiting.get(msg.id);
    if (!w) return;
    this.waiting.delete(msg.id);
    if (msg.ok) w.resolve(msg.result);
    else w.reject(new WorkerError(msg.error.message, msg.error.name));
  }
}
