import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { SHARE_PREFIX, makePayload } from '../src/core/share/link';
import { encodeRun } from '../src/core/share/run-codec';
import { DEFAULT_SETTINGS, makeRunConfig, validateSettings, type RunSettings } from '../src/core/train/run-config';
import { packPayload } from '../src/state/share-pack';
import { openWorkbench } from './support';

// Issue 11, items 7, 10 and 11: the screen at 1280 x 800, the keyboard, and a comparison of
// many runs. Many runs come from a share link built here (no training needed); the one run
// that trains is tiny, on tfjs-cpu (see compare.spec.ts for why not SwiftShader).

test.use({ viewport: { width: 1280, height: 800 } });

const PENGUINS = {
  name: 'penguins.arrow',
  rows: 344,
  fingerprint: createHash('sha256').update(readFileSync('public/datasets/penguins.arrow')).digest('hex'),
  url: '/datasets/penguins.arrow',
};
const FEATURES = ['Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)', 'Sex'];

/** A finished run as another machine would have stored it: a falling loss over `steps` steps. */
function storedRun(
  id: string,
  settings: Partial<RunSettings>,
  data: { name: string; rows: number; fingerprint: string; label: string },
  i: number,
) {
  const s = validateSettings({ ...DEFAULT_SETTINGS, backend: 'cpu', epochs: 1, ...settings });
  const config = makeRunConfig(s, {
    fingerprint: data.fingerprint,
    name: data.name,
    rows: data.rows,
    label: data.label,
    features: data.name === PENGUINS.name ? FEATURES : ['distance'],
    dedup: 'none',
    split: { train: 0.8, val: 0.1, test: 0.1, seed: s.seed },
  });
  const steps = Array.from({ length: 30 }, (_, k) => ({
    step: k,
    epoch: 0,
    time: k / 50,
    loss: (1 + i / 10) / (k + 1),
    samplesPerSec: 4000 + 100 * i,
    dataWaitMs: 0.1,
    gpuMs: null,
    readbackMs: 0.2,
  }));
  return encodeRun(
    {
      id,
      config,
      environment: {
        runtime: 'chrome 140',
        adapter: null,
        features: [],
        f16Path: 'none',
        backend: 'cpu',
        fallbackReason: null,
      },
      status: 'done',
      steps,
      epochs: [{ epoch: 0, trainLoss: 0.3, valLoss: 0.35, valAccuracy: 0.9 }],
      summary: { status: 'done', medianSamplesPerSec: 4000, timeToTargetLoss: null, finalValMetric: 0.9 },
      error: null,
      info: null,
    },
    {
      title: id,
      colour: i,
      createdAt: 1_700_000_000_000 + i,
      finishedAt: 1_700_000_001_000 + i,
      budgetSec: null,
      sweep: null,
    },
  );
}

async function link(runs: ReturnType<typeof storedRun>[]): Promise<string> {
  return `/${SHARE_PREFIX}${await packPayload(makePayload(runs, PENGUINS, null))}`;
}

/** 20 runs on penguins (2 optimizers x 2 learning rates x 5 batch sizes) and 8 on another file. */
async function manyRunsLink(): Promise<string> {
  const runs = [];
  let i = 0;
  for (const name of ['adam', 'sgd'] as const)
    for (const learningRate of [0.1, 0.01])
      for (const batchSize of [16, 32, 64, 128, 256]) {
        runs.push(
          storedRun(`p${i}`, { optimizer: { name, learningRate }, batchSize }, { ...PENGUINS, label: 'Species' }, i++),
        );
      }
  for (const batchSize of [8, 16, 32, 64, 128, 256, 512, 1024])
    runs.push(
      storedRun(
        `f${i}`,
        { batchSize },
        { name: 'flights.csv', rows: 1000, fingerprint: 'f'.repeat(64), label: 'delay' },
        i++,
      ),
    );
  return link(runs);
}

/** The top of the fixed queue bar: what lies below it is covered. */
const fold = (page: Page) => page.getByTestId('run-queue').evaluate((e) => e.getBoundingClientRect().top);

test('at 1280 x 800 the schema is whole and Train is in view, scrolled or not', async ({ page }) => {
  await openWorkbench(page);
  const panel = await page.locator('.data-panel').boundingBox();
  const table = page.getByTestId('schema-table');
  // Nothing of the schema is cut off: the table is no wider than its box, every heading inside the panel.
  expect(await table.evaluate((t) => t.scrollWidth <= t.parentElement!.clientWidth + 1)).toBe(true);
  for (const th of await table.locator('th').all()) {
    const b = (await th.boundingBox())!;
    expect(b.x + b.width).toBeLessThanOrEqual(panel!.x + panel!.width);
  }
  const lastRow = table.locator('tbody tr').last();
  await expect(lastRow).toContainText('distinct');
  await expect(lastRow).toContainText('null');

  const bottom = await fold(page);
  const train = page.getByTestId('train-button');
  let box = (await train.boundingBox())!;
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.y + box.height).toBeLessThanOrEqual(bottom);
  // Scrolled down to the end of the form, Train stays in view (the actions are sticky).
  await page.mouse.wheel(0, 700);
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(300);
  box = (await train.boundingBox())!;
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.y + box.height).toBeLessThanOrEqual(bottom);
  await page.screenshot({ path: 'test-results/screen-1280-scrolled.png' });
});

test('keyboard: a skip link to the Run form, one stop for the file picker, charts with names', async ({ page }) => {
  await openWorkbench(page);
  await page.keyboard.press('Tab');
  const skip = page.getByTestId('skip-to-run');
  await expect(skip).toBeFocused();
  await expect(skip).toHaveText('Skip to the Run form');
  const b = (await skip.boundingBox())!;
  expect(b.y).toBeGreaterThanOrEqual(0); // shown when focused
  await page.keyboard.press('Enter');
  await expect(page.locator('#run-heading')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('train-button')).toBeFocused(); // three stops from the top

  // The file picker is one stop: its button, then the samples.
  await page.getByRole('button', { name: 'Choose a file…' }).focus();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('sample-penguins.arrow')).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(page.getByRole('button', { name: 'Choose a file…' })).toBeFocused();

  // Each chart is an image named by what it shows; recharts adds no unnamed tab stop.
  await expect(page.getByRole('img', { name: /^Line chart of loss against step/ })).toHaveCount(1);
  await expect(page.getByRole('img', { name: /^Line chart of samples\/s against step/ })).toHaveCount(1);
  await expect(page.locator('.recharts-surface[tabindex]')).toHaveCount(0);
});

test(
  'many runs: the legend scrolls, lines stay apart, labels are short, a dataset filter, clearing ' + 'finished runs',
  async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(await manyRunsLink());
    await expect(page.getByTestId('shared-banner')).toContainText('28 runs on penguins.arrow');
    await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '344');

    // The link's dataset (penguins) is shown by default: 20 runs of 28.
    const legend = page.getByTestId('legend');
    const items = legend.getByRole('button');
    await expect(items).toHaveCount(20);
    await expect(page.getByTestId('legend-count')).toHaveText('20 of 28 runs');
    await expect(page.getByTestId('loss-chart').locator('path.recharts-curve')).toHaveCount(20);

    // The legend scrolls in its own box; the charts stay on screen.
    const lb = (await legend.boundingBox())!;
    expect(lb.height).toBeLessThanOrEqual(100);
    expect(await legend.evaluate((e) => e.scrollHeight > e.clientHeight)).toBe(true);
    const chart = (await page.getByTestId('loss-chart').boundingBox())!;
    expect(chart.y + 150).toBeLessThanOrEqual(await fold(page));
    await page.waitForTimeout(1200); // the charts follow the store once a second
    await page.screenshot({ path: 'test-results/screen-many-runs.png' });

    // Twelve colours, then dashes: 20 different lines.
    const styles = await items.evaluateAll((els) =>
      els.map((e) => `${e.getAttribute('data-colour')}/${e.getAttribute('data-dash')}`),
    );
    expect(new Set(styles).size).toBe(20);
    expect(new Set(styles.slice(0, 12).map((s) => s.split('/')[0])).size).toBe(12);
    const dashes = await page
      .getByTestId('loss-chart')
      .locator('path.recharts-curve')
      .evaluateAll((ps) => ps.map((p) => p.getAttribute('stroke-dasharray') ?? ''));
    expect(dashes.filter((d) => d && d !== 'none').length).toBe(8);

    // Labels: what differs, no defaults; every run marked as shared before anything ran here.
    const names = await items.allTextContents();
    // (A shared run's origin is where it ran and when it was shared: 'cpu (shared 2023-11-14)'.)
    expect(names[0]).toMatch(/^adam · lr 0\.1 · batch 16 · shared: cpu \(shared \d{4}-\d\d-\d\d\)$/);
    for (const n of names) {
      expect(n).not.toMatch(/beta1|beta2|weightDecay|prefetch|epsilon/);
      expect(n).toContain('shared: cpu');
    }
    await expect(items.first()).toHaveAttribute('data-shared', 'true');
    await expect(page.getByTestId('results-table')).toHaveAttribute('data-rows', '20');

    // The dataset filter: the other file, then all.
    const filter = page.getByTestId('dataset-filter');
    await expect(filter.locator('option:checked')).toHaveText('penguins.arrow (share link)');
    await filter.selectOption({ label: 'flights.csv (8 runs)' });
    await expect(items).toHaveCount(8);
    await expect(items.first()).toHaveText(/^batch 8 · shared: cpu /);
    await expect(page.getByTestId('results-table')).toHaveAttribute('data-rows', '8');
    await filter.selectOption('all');
    await expect(items).toHaveCount(28);
    await expect(items.first()).toContainText('penguins.arrow → Species');

    // Clearing finished runs from the view deletes nothing.
    await page.getByTestId('clear-finished').click();
    await expect(legend).toHaveCount(0);
    await expect(page.getByTestId('results-table')).toHaveAttribute('data-rows', '0');
    await expect(page.getByTestId('run-queue')).toHaveAttribute('data-finished', '28');
    await page.getByTestId('show-cleared').click();
    await expect(items).toHaveCount(28);
    expect(errors).toEqual([]);
  },
);

test('shared runs are marked as shared before "Run these here", which is spent once used', async ({ page }) => {
  test.setTimeout(120_000);
  const runs = [16, 64].map((batchSize, i) => storedRun(`s${i}`, { batchSize }, { ...PENGUINS, label: 'Species' }, i));
  await page.goto(await link(runs));
  await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '344');
  const items = page.getByTestId('legend').getByRole('button');
  await expect(items).toHaveText([/^batch 16 · shared: cpu /, /^batch 64 · shared: cpu /]);
  await expect(page.getByTestId('results-table').getByTestId('results-row')).toHaveText([
    /^batch 16 · shared: cpu/,
    /^batch 64 · shared: cpu/,
  ]);

  const button = page.getByTestId('shared-run-here');
  await expect(button).toBeEnabled();
  await button.click();
  await expect(page.getByTestId('shared-rerun')).toContainText('Queued 2 runs');
  await expect(button).toBeDisabled();
  await expect(button).toHaveText('Queued here');
  // Runs made here say so beside the shared ones once they have data.
  await expect(page.getByTestId('run-queue')).toHaveAttribute('data-finished', '4', { timeout: 100_000 });
  await expect(items).toHaveCount(4);
  await expect(items.filter({ hasText: /· here$/ })).toHaveCount(2);
  await expect(items.filter({ hasText: /shared: cpu/ })).toHaveCount(2);
  await expect(button).toBeDisabled();
});

test('after a sweep, the wrong validation rows listed are those of the run that finished last', async ({ page }) => {
  test.setTimeout(150_000);
  await openWorkbench(page);
  await page.getByTestId('config-form').getByLabel('Batch size').fill('16, 64');
  const backends = page.getByTestId('backend-chips');
  await backends.getByText('cpu', { exact: true }).click();
  await backends.getByText('webgpu', { exact: true }).click();
  await page.getByText('Sweep (successive halving)').click();
  await page.getByLabel('Start budget').fill('1');
  await page.getByLabel('Budget cap').fill('2');
  await page.getByTestId('sweep-button').click();
  await expect(page.locator('.sweep-status')).toContainText('done', { timeout: 120_000 });
  await expect(page.getByTestId('run-queue')).toHaveAttribute('data-finished', '3');
  // The last run is the survivor's second rung, at 2 epochs (its list may be empty: all right).
  await expect(page.getByTestId('misclassified')).toContainText(/the last run \(.* · 2 ep · .*\)/i);
});
