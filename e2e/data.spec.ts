import { expect, test, type Page } from '@playwright/test';

async function ready(page: Page) {
  await page.goto('/');
  await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-name', 'penguins.arrow');
}

/** A seeded CSV of `rows` rows: an id, two numbers, a category and a label. */
function csv(rows: number, seed = 1, header = true): string {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const lines = header ? ['x,y,colour,label'] : [];
  for (let i = 0; i < rows; i++) lines.push(`${(rnd() * 10).toFixed(3)},${Math.floor(rnd() * 100)},${['red', 'green', '"blue, dark"'][i % 3]},${rnd() < 0.5 ? 'yes' : 'no'}`);
  return lines.join('\r\n') + '\r\n';
}

test.describe('loading data', () => {
  test('several CSV files with the same columns become one dataset, with a schema and histograms', async ({ page }) => {
    await ready(page);
    await page.getByTestId('file-input').setInputFiles([
      { name: 'part-1.csv', mimeType: 'text/csv', buffer: Buffer.from(csv(300, 1)) },
      { name: 'part-2.csv', mimeType: 'text/csv', buffer: Buffer.from(csv(200, 2)) },
    ]);
    const summary = page.getByTestId('dataset-summary');
    await expect(summary).toHaveAttribute('data-name', 'part-1.csv + 1 more');
    await expect(summary).toHaveAttribute('data-rows', '500');
    await expect(page.getByTestId('label-select')).toHaveValue('label');
    await expect(summary.locator('svg.histogram')).toHaveCount(4);
    await expect(summary).toContainText('blue, dark');
  });

  test('a ragged CSV is refused with the line and the counts, and the sample stays', async ({ page }) => {
    await ready(page);
    await page.getByTestId('file-input').setInputFiles({ name: 'ragged.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b,c\n1,2,3\n4,5\n6,7,8\n') });
    const error = page.getByTestId('data-error');
    await expect(error).toContainText('ragged.csv');
    await expect(error).toContainText('line 3');
    await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-name', 'penguins.arrow');
  });

  test('reopening a file is served from the decode cache', async ({ page }) => {
    await ready(page);
    const file = { name: 'cached.csv', mimeType: 'text/csv', buffer: Buffer.from(csv(1000, 7)) };
    await page.getByTestId('file-input').setInputFiles(file);
    await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-name', 'cached.csv');
    await expect(page.getByTestId('dataset-summary')).toContainText('decoded in');
    await page.waitForTimeout(500); // the data worker writes the cache entry after the load
    await page.getByTestId('file-input').setInputFiles(file);
    await expect(page.getByTestId('dataset-summary')).toContainText('from the cache');
    await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '1000');
  });

  test('a long load shows progress and can be cancelled without losing the dataset in use', async ({ page }) => {
    await ready(page);
    // A download that takes seconds: the page shows progress after half a second, and Cancel stops it.
    await page.route('**/slow/big.csv', async (route) => {
      await new Promise((r) => setTimeout(r, 5_000));
      await route.fulfill({ status: 200, contentType: 'text/csv', body: csv(1000, 3) }).catch(() => undefined);
    });
    await page.getByTestId('url-input').fill('http://127.0.0.1:4173/slow/big.csv');
    await page.getByRole('button', { name: 'Load' }).click();
    await expect(page.getByTestId('load-progress')).toBeVisible();
    await expect(page.getByTestId('load-progress').locator('progress')).toBeVisible({ timeout: 3_000 });
    await page.getByTestId('cancel-load').click();
    await expect(page.getByTestId('data-error')).toContainText('Loading big.csv was cancelled; the dataset in use is unchanged');
    await expect(page.getByTestId('load-progress')).toHaveCount(0);
    await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-name', 'penguins.arrow');
    await expect(page.getByTestId('train-button')).toBeEnabled();
  });

  test('a URL that cannot be fetched gets a clear message', async ({ page }) => {
    await ready(page);
    await page.getByTestId('url-input').fill('http://127.0.0.1:9/missing.parquet');
    await page.getByRole('button', { name: 'Load' }).click();
    await expect(page.getByTestId('data-error')).toContainText('missing.parquet: could not be fetched');
    await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-name', 'penguins.arrow');
  });
});

test('loading flights-3m.parquet keeps the main thread free of long tasks', async ({ page }) => {
  await ready(page);
  await page.evaluate(() => {
    const w = window as unknown as { __longTasks: number[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push(e.duration);
    }).observe({ type: 'longtask' });
  });
  await page.getByTestId('file-input').setInputFiles('node_modules/vega-datasets/data/flights-3m.parquet');
  const summary = page.getByTestId('dataset-summary');
  await expect(summary).toHaveAttribute('data-name', 'flights-3m.parquet', { timeout: 60_000 });
  await expect(summary).toHaveAttribute('data-rows', '3000000');
  await expect(summary).toContainText('origin');
  const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
  expect(longTasks.filter((d) => d > 100)).toEqual([]);
});
