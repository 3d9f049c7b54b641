/**
 * From a file picked to its schema on screen, in headless Chromium against the production build:
 * a fresh tab, and the same file reopened from the decode cache (README, "Loading data").
 *
 *   npx vite build && npx vite preview --port 4179 &   then   npx tsx bench/browser-load.ts [--url U] [--file F]
 * [--reps N] [--json]
 *
 * Wall-clock times of the whole path (read, fingerprint, decode or cache, statistics, transfer,
 * render) with the machine and its load average, which such times depend on; no anchor runs in
 * the page, so this is a figure to state, not a ratio.
 */
import { chromium } from '@playwright/test';
import { cpus, loadavg } from 'node:os';
import { benchArgs } from './harness';

const args = benchArgs();
const url = args.flag('--url', 'http://127.0.0.1:4179/');
const file = args.flag('--file', 'node_modules/vega-datasets/data/flights-3m.parquet');
const reps = Number(args.flag('--reps', '5'));
const browser = await chromium.launch({
  executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--enable-unsafe-webgpu'],
});
const fresh: number[] = [];
const cached: number[] = [];
const workerPart: string[] = [];
const loadBefore = loadavg()[0];
for (let i = 0; i < reps; i++) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(url);
  await page.getByTestId('dataset-summary').waitFor();
  await page.waitForTimeout(1500);
  const rows = async () => Number(await page.getByTestId('dataset-summary').getAttribute('data-rows'));
  const pick = async (path: string) => {
    const before = await page.getByTestId('dataset-summary').getAttribute('data-name');
    const t0 = Date.now();
    await page.getByTestId('file-input').setInputFiles(path);
    await page.waitForFunction(
      (b) => {
        const el = document.querySelector('[data-testid="dataset-summary"]');
        return el && el.getAttribute('data-name') !== b;
      },
      before,
      { timeout: 120_000, polling: 'raf' },
    );
    return Date.now() - t0;
  };
  fresh.push(await pick(file));
  await page.getByTestId('duplicate-count').waitFor({ timeout: 120_000 });
  await pick('public/datasets/penguins.arrow');
  cached.push(await pick(file));
  workerPart.push(
    /from the cache in [\d.]+ \S+|decoded in [\d.]+ \S+/.exec(
      await page.getByTestId('dataset-summary').innerText(),
    )?.[0] ?? '?',
  );
  if (!(await rows())) throw new Error('no rows');
  await ctx.close();
}
await browser.close();
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
const out = {
  stage: 'browser-load',
  machine:
    `${cpus()[0].model}, ${cpus().length} cores, load ` +
    `average ${loadBefore.toFixed(1)} -> ${loadavg()[0].toFixed(1)}`,
  file,
  freshMs: fresh,
  cachedMs: cached,
  workerPart,
  medianFreshMs: median(fresh),
  medianCachedMs: median(cached),
};
if (args.asJson) console.log(JSON.stringify(out));
else
  console.log(
    `${out.machine}\n${file}: fresh tab median ${out.medianFreshMs} ms ${JSON.stringify(fresh)}; reopened ` +
      `(cache) median ${out.medianCachedMs} ms ${JSON.stringify(cached)}; ${workerPart.join(', ')}`,
  );
