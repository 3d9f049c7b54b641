/**
 * Knowing when a worker is gone. A worker that throws fires 'error' on its Worker object, but
 * one that the browser closes, or that calls close(), goes silently: the calls it was answering
 * would wait forever and the run or load would hang. So each worker holds a Web Lock, named in
 * its Worker name by the page, from its first line until it ends; once it says it holds it, the
 * page asks for the same lock, and the browser grants it the moment the worker is gone, however
 * it went. (MessagePort 'close' events would do the same but are not enabled in Chromium 156.)
 *
 * A worker that dies before its lock is granted (its first moments) goes unseen; every worker
 * here takes its lock before it handles its first message.
 */

const HELD = 'trainbench-lifeline-held';
const SEPARATOR = '#lifeline:';

interface LockManagerLike {
  request(name: string, callback: () => unknown): Promise<unknown>;
}

function lockManager(): LockManagerLike | null {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  return nav?.locks ?? null;
}

/** In a worker, first thing: holds the lock named in this worker's name until the worker ends. */
export function holdLifeline(scope: { name?: string; postMessage(message: unknown): void }): void {
  const at = scope.name?.indexOf(SEPARATOR) ?? -1;
  const locks = lockManager();
  if (at < 0 || !locks) return;
  const lock = scope.name!.slice(at + SEPARATOR.length);
  void locks.request(lock, () => {
    scope.postMessage({ kind: HELD, lock });
    return new Promise<never>(() => undefined);
  });
}

let counter = 0;

/** A Worker name that carries a fresh lock name (lock names are shared by all tabs of the origin). */
export function lifelineName(label: string): string {
  return `${label}${SEPARATOR}trainbench:${label}:${++counter}:${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
}

interface Line {
  gone: boolean;
  listeners: Set<() => void>;
}

const lines = new WeakMap<object, Line>();

/**
 * On the page, right after the worker was made with a `lifelineName`: starts watching it.
 * Returns nothing; `onGone` subscribes.
 */
export function watchLifeline(worker: Worker): void {
  const locks = lockManager();
  if (!locks || lines.has(worker)) return;
  const line: Line = { gone: false, listeners: new Set() };
  lines.set(worker, line);
  const onHeld = (e: MessageEvent) => {
    const m = e.data as { kind?: unknown; lock?: unknown } | null;
    if (!m || m.kind !== HELD || typeof m.lock !== 'string') return;
    worker.removeEventListener('message', onHeld);
    // Granted only once the worker's hold ends, that is when the worker is gone.
    void locks.request(m.lock, () => {
      line.gone = true;
      for (const l of [...line.listeners]) l();
      line.listeners.clear();
    });
  };
  worker.addEventListener('message', onHeld);
}

/**
 * Calls `listener` once the worker has ended, whatever the reason (terminate() included: the
 * caller tells a deliberate end from a death). Returns the unsubscribe function. Nothing happens
 * for a worker that is not watched (no Web Locks in this browser).
 */
export function onWorkerGone(worker: Worker, listener: () => void): () => void {
  const line = lines.get(worker);
  if (!line) return () => undefined;
  if (line.gone) {
    queueMicrotask(listener);
    return () => undefined;
  }
  line.listeners.add(listener);
  return () => line.listeners.delete(listener);
}
