/**
 * Promises over IndexedDB's request and transaction events, for the stores that keep data in
 * this browser: the decoded-table cache (table-cache.ts) and the runs (src/state/persist.ts).
 * Every failure is a {@link StorageError} saying what failed, with the browser's reason after it.
 */

/** Storage in this browser failed (or is not there); the message says what, and the browser's reason. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
}

function failure(what: string, cause: DOMException | null | undefined): StorageError {
  return new StorageError(cause ? `${what}: ${cause.message || cause.name}` : what);
}

/** This environment's IndexedDB (a page or a worker), or null where there is none (Node). */
export function indexedDbFactory(): IDBFactory | null {
  return (globalThis as { indexedDB?: IDBFactory }).indexedDB ?? null;
}

/**
 * Opens database `name` at `version`, creating those of `stores` it lacks (store name -> its
 * key options); with `dropOthers`, an upgrade also deletes the stores not listed (a cache's
 * older versions). Rejects when the browser refuses, or when another tab holds an older version open.
 */
export function openDatabase(
  factory: IDBFactory,
  name: string,
  version: number,
  stores: Record<string, IDBObjectStoreParameters | undefined>,
  dropOthers = false,
): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = factory.open(name, version);
    req.onupgradeneeded = () => {
      if (dropOthers)
        for (const store of Array.from(req.result.objectStoreNames))
          if (!(store in stores)) req.result.deleteObjectStore(store);
      for (const [store, options] of Object.entries(stores))
        if (!req.result.objectStoreNames.contains(store)) req.result.createObjectStore(store, options);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(failure(`IndexedDB ${name} would not open`, req.error));
    req.onblocked = () => reject(new StorageError(`IndexedDB ${name} is blocked by another tab`));
  });
}

/** The result of one request; `what` names it in the error ("reading the stored runs"). */
export function requested<T>(req: IDBRequest<T>, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(failure(`IndexedDB: ${what} failed`, req.error));
  });
}

/** Settles when `tx` has committed; rejects when it fails or is aborted (the storage full, most often). */
export function committed(tx: IDBTransaction, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(failure(`IndexedDB: ${what} failed`, tx.error));
    tx.onabort = () => reject(failure(`IndexedDB: ${what} was aborted (storage full?)`, tx.error));
  });
}
