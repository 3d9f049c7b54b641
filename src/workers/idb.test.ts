/**
 * The IndexedDB helpers against a scripted stand-in (Node has no IndexedDB): each test fires the
 * events a browser fires, in its order, and checks what the promise settles to.
 */
import { describe, expect, it } from 'vitest';
import { StorageError, committed, indexedDbFactory, openDatabase, requested } from './idb';

/** An IDBRequest-shaped object whose events the test fires by hand. */
function fakeRequest<T>(result: T) {
  return {
    result,
    error: null as DOMException | null,
    onsuccess: null as null | (() => void),
    onerror: null as null | (() => void),
  };
}

function fakeFactory(existing: string[]) {
  const created: [string, IDBObjectStoreParameters | undefined][] = [];
  const deleted: string[] = [];
  // A DOMStringList is array-like (length, indices) with contains().
  const names = Object.assign([...existing], {
    contains: (n: string) => existing.includes(n) || created.some(([c]) => c === n),
  });
  const db = {
    objectStoreNames: names,
    createObjectStore: (n: string, o?: IDBObjectStoreParameters) => void created.push([n, o]),
    deleteObjectStore: (n: string) => void deleted.push(n),
  };
  const req = {
    ...fakeRequest(db),
    onupgradeneeded: null as null | (() => void),
    onblocked: null as null | (() => void),
  };
  const opened: [string, number][] = [];
  const factory = {
    open: (name: string, version: number) => (opened.push([name, version]), req),
  } as unknown as IDBFactory;
  return { factory, req, db, created, deleted, opened };
}

describe('IndexedDB helpers', () => {
  it('opens a database, creating on upgrade only the stores it lacks, with their key options', async () => {
    const f = fakeFactory(['runs']);
    const open = openDatabase(f.factory, 'trainbench', 2, { runs: { keyPath: 'id' }, waiting: undefined });
    expect(f.opened).toEqual([['trainbench', 2]]);
    f.req.onupgradeneeded!();
    f.req.onsuccess!();
    expect(await open).toBe(f.db);
    expect(f.created).toEqual([['waiting', undefined]]);
  });

  it("with dropOthers, an upgrade deletes the stores not listed (a cache's older versions) and keeps the others", async () => {
    const f = fakeFactory(['tables', 'tables-v1']);
    const open = openDatabase(f.factory, 'trainbench-tables', 2, { 'tables-v2': undefined }, true);
    f.req.onupgradeneeded!();
    f.req.onsuccess!();
    await open;
    expect(f.deleted).toEqual(['tables', 'tables-v1']);
    expect(f.created).toEqual([['tables-v2', undefined]]);
    const g = fakeFactory(['runs', 'old']);
    const kept = openDatabase(g.factory, 'trainbench', 3, { runs: { keyPath: 'id' } });
    g.req.onupgradeneeded!();
    g.req.onsuccess!();
    await kept;
    expect(g.deleted).toEqual([]);
  });

  it(
    "refuses with a StorageError naming the database and the browser's reason, or the tab " + 'that blocks it',
    async () => {
      const f = fakeFactory([]);
      const open = openDatabase(f.factory, 'trainbench-tables', 1, { tables: undefined });
      f.req.error = new DOMException('The user denied permission', 'UnknownError');
      f.req.onerror!();
      await expect(open).rejects.toThrow(
        new StorageError('IndexedDB trainbench-tables would not open: The user denied permission'),
      );
      const g = fakeFactory([]);
      const blocked = openDatabase(g.factory, 'trainbench', 2, {});
      g.req.onblocked!();
      await expect(blocked).rejects.toThrow(new StorageError('IndexedDB trainbench is blocked by another tab'));
      await expect(blocked).rejects.toBeInstanceOf(StorageError);
    },
  );

  it('settles a request with its result or a StorageError saying which request failed', async () => {
    const ok = fakeRequest([1, 2]);
    const got = requested(ok as unknown as IDBRequest<number[]>, 'reading the stored runs');
    ok.onsuccess!();
    expect(await got).toEqual([1, 2]);
    const bad = fakeRequest(undefined);
    const failed = requested(bad as unknown as IDBRequest<undefined>, 'reading the stored runs');
    bad.error = new DOMException('', 'NotFoundError');
    bad.onerror!();
    await expect(failed).rejects.toThrow(new StorageError('IndexedDB: reading the stored runs failed: NotFoundError'));
  });

  it('settles a transaction when it commits, and refuses when it fails or is aborted', async () => {
    const tx = () => ({
      error: null as DOMException | null,
      oncomplete: null as null | (() => void),
      onerror: null as null | (() => void),
      onabort: null as null | (() => void),
    });
    const a = tx();
    const done = committed(a as unknown as IDBTransaction, 'saving runs');
    a.oncomplete!();
    await expect(done).resolves.toBeUndefined();
    const b = tx();
    const full = committed(b as unknown as IDBTransaction, 'saving runs');
    b.error = new DOMException('quota exceeded', 'QuotaExceededError');
    b.onabort!();
    await expect(full).rejects.toThrow(
      new StorageError('IndexedDB: saving runs was aborted (storage full?): quota exceeded'),
    );
    const c = tx();
    const failed = committed(c as unknown as IDBTransaction, 'saving runs');
    c.onerror!();
    await expect(failed).rejects.toThrow(new StorageError('IndexedDB: saving runs failed'));
  });

  it('finds no IndexedDB in Node', () => {
    expect(indexedDbFactory()).toBeNull();
  });
});
