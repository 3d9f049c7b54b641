/**
 * What a service's handlers return and what its callers send: a value, possibly marked to travel
 * with transferred buffers. The marks mean nothing in one process (`transferredValue` drops them);
 * over a port the RPC transport (workers/rpc.ts) sends the buffers in the transfer list.
 */

/** An API: method name -> argument and result types. */
export type ApiShape = Record<string, { args: unknown; result: unknown }>;

/** A result with the buffers to transfer along with it. */
export interface Transferring<T> {
  readonly __transfer: true;
  value: T;
  transfer: Transferable[];
}

/** Marks a handler's result (or call arguments) to be sent with transferred buffers. */
export function transfer<T>(value: T, buffers: Transferable[]): Transferring<T> {
  return { __transfer: true, value, transfer: buffers };
}

function isTransferring<T>(v: T | Transferring<T>): v is Transferring<T> {
  return v !== null && typeof v === 'object' && (v as { __transfer?: unknown }).__transfer === true;
}

/** A value marked by {@link transfer} split into the value and its transfer list (an empty list for a plain value). */
export function unwrap<T>(v: T | Transferring<T>): { value: T; transfer: Transferable[] } {
  return isTransferring(v) ? { value: v.value, transfer: v.transfer } : { value: v, transfer: [] };
}

/**
 * The value itself, whether or not it was marked to travel with transferred buffers (for callers in the same thread).
 */
export function transferredValue<T>(v: T | Transferring<T>): T {
  return isTransferring(v) ? v.value : v;
}

/** A service's implementation: one handler per method of its API. */
export type Handlers<A extends ApiShape> = {
  [K in keyof A]: (
    args: A[K]['args'],
  ) => Promise<A[K]['result'] | Transferring<A[K]['result']>> | A[K]['result'] | Transferring<A[K]['result']>;
};
