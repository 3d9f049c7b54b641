/**
 * The piece cache of streamed files (services/piece-cache.ts) over Chromium's real Origin
 * Private File System, through the adapter the data worker uses (workers/piece-cache-opfs.ts):
 * the adapter is bundled for the page with esbuild and driven there. Pieces are written as
 * files, read back by a later cache over the same folder (the index persists), and a dataset
 * that no longer fits under the limit evicts the least recently used one, its files removed
 * from the folder. The cache's logic itself is unit-tested (piece-cache.test.ts, in memory);
 * this test holds the part only a browser has.
 */
import { expect, test } from '@playwright/test';
import { build } from 'esbuild';

/** The page-side driver: runs in the app's origin, returns what it saw. */
const HARNESS = `
import { openPieceCache, PIECES_VERSION } from './src/workers/piece-cache-opfs';

const bytes = (seed: number, n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);
const same = (a: ArrayBuffer | null, b: Uint8Array) =>
  a !== null && a.byteLength === b.length && new Uint8Array(a).every((v, i) => v === b[i]);

(globalThis as Record<string, unknown>).pieceCacheHarness = async () => {
  const root = await navigator.storage.getDirectory();
  const folderName = 'pieces-v' + PIECES_VERSION;
  await root.removeEntry(folderName, { recursive: true }).catch(() => undefined);
  const files = async () => {
    const d = await root.getDirectoryHandle(folderName);
    const names: string[] = [];
    for await (const n of (d as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(n);
    return names.sort();
  };
  const a = 'aaaaaaaaaaaaaaaa';
  const b = 'bbbbbbbbbbbbbbbb';
  const first = await openPieceCache(2500);
  if (!first) return { opened: false };
  const storedA = [await first.put(a, 0, bytes(1, 1000)), await first.put(a, 1, bytes(2, 1000))];
  const afterA = await files();
  // A later page: a fresh cache over the same folder finds dataset A through the saved index.
  const later = await openPieceCache(2500);
  const readBack = same(await later!.get(a, 1), bytes(2, 1000)) && same(await later!.get(a, 0), bytes(1, 1000));
  // A third piece of 1000 bytes does not fit under 2500 beside A's 2000: A, the other dataset, goes.
  const storedB = await later!.put(b, 0, bytes(3, 1000));
  const afterB = await files();
  const aAfterEviction = await later!.get(a, 0);
  const bBack = same(await later!.get(b, 0), bytes(3, 1000));
  // A piece larger than the whole limit is not cached (that epoch reads the file).
  const tooLarge = await later!.put(b, 1, bytes(4, 3000));
  return {
    opened: true,
    limit: later!.limit,
    storedA,
    afterA,
    readBack,
    storedB,
    afterB,
    aEvicted: aAfterEviction === null,
    bBack,
    tooLarge,
    datasets: await later!.datasets(),
  };
};
`;

test('streamed pieces are cached in the OPFS: read back by a later cache, the least recently used dataset evicted at the limit', async ({
  page,
}) => {
  const bundle = await build({
    stdin: { contents: HARNESS, loader: 'ts', resolveDir: process.cwd(), sourcefile: 'piece-cache-harness.ts' },
    bundle: true,
    format: 'iife',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  // The app's origin (the OPFS belongs to it); the harness runs beside the workbench.
  await page.goto('/');
  await page.addScriptTag({ content: bundle.outputFiles[0].text });
  const seen = await page.evaluate(() =>
    (globalThis as unknown as { pieceCacheHarness: () => Promise<Record<string, unknown>> }).pieceCacheHarness(),
  );
  expect(seen.opened).toBe(true);
  expect(seen.limit).toBe(2500);
  expect(seen.storedA).toEqual([true, true]);
  expect(seen.afterA).toEqual(['aaaaaaaaaaaaaaaa-0.tbt', 'aaaaaaaaaaaaaaaa-1.tbt', 'index.json']);
  expect(seen.readBack).toBe(true);
  expect(seen.storedB).toBe(true);
  expect(seen.afterB).toEqual(['bbbbbbbbbbbbbbbb-0.tbt', 'index.json']);
  expect(seen.aEvicted).toBe(true);
  expect(seen.bBack).toBe(true);
  expect(seen.tooLarge).toBe(false);
  expect(seen.datasets).toEqual([{ key: 'bbbbbbbbbbbbbbbb', bytes: 1000 }]);
});
