import { expect, test, type Page } from '@playwright/test';

async function ready(page: Page) {
  await page.goto('/');
  await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-name', 'penguins.arrow');
}

/** A seeded CSV of `rows` rows: an id, two numbers, a category and a label. */
function csv(rows: number, seed = 1, header = true): string {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const lines = header ? ['x,y,colour,label'] : [];
  for (let i = 0; i < rows; i++)
    lines.push(
      `${(rnd() * 10).toFixed(3)},${Math.floor(rnd() * 100)},${['red', 'green', '"blue, dark"'][i % 3]},${rnd() < 0.5 ? 'yes' : 'no'}`,
    );
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

  test(
    'a file with columns that cannot train loads with the others, and the schema says which were ' + 'skipped and why',
    async ({ page }) => {
      await ready(page);
      // Parquet from parquet-testing: four flat columns and a list column.
      await page
        .getByTestId('file-input')
        .setInputFiles('src/fixtures/conformance/parquet-testing/data/datapage_v2.snappy.parquet');
      const summary = page.getByTestId('dataset-summary');
      await expect(summary).toHaveAttribute('data-name', 'datapage_v2.snappy.parquet');
      await expect(summary).toContainText('4 columns');
      await expect(page.getByTestId('skipped-columns')).toContainText(
        'Skipped 1 column: e (list<int32>): a list column',
      );
      // Fixed-length binary columns load as hashed bytes, left out of the features until ticked.
      await page
        .getByTestId('file-input')
        .setInputFiles('src/fixtures/conformance/parquet-testing/data/byte_stream_split_extended.gzip.parquet');
      await expect(summary).toHaveAttribute('data-name', 'byte_stream_split_extended.gzip.parquet');
      const flba = page.getByTestId('schema-table').locator('tr', { hasText: 'flba5_plain' });
      await expect(flba).toContainText('bytes, hashed');
      const pick = page.getByLabel('use flba5_plain as a feature');
      await expect(pick).not.toBeChecked();
      await expect(page.getByLabel('use float_plain as a feature')).toBeChecked();
      await pick.check();
      await expect(pick).toBeChecked();
      // An LZ4-compressed Arrow IPC file (the Feather v2 default) loads too.
      await page
        .getByTestId('file-input')
        .setInputFiles('src/fixtures/conformance/arrow-testing/2.0.0-compression/generated_lz4.arrow_file');
      await expect(summary).toHaveAttribute('data-name', 'generated_lz4.arrow_file');
      await expect(page.getByTestId('data-error')).toHaveCount(0);
    },
  );

  test('a GeoJSON file loads its features, the keys around them listed as skipped, also from the cache', async ({
    page,
  }) => {
    await ready(page);
    const file = 'node_modules/vega-datasets/data/earthquakes.json';
    const summary = page.getByTestId('dataset-summary');
    for (const from of ['decoded in', 'from the cache']) {
      await page.getByTestId('file-input').setInputFiles(file);
      await expect(summary).toHaveAttribute('data-name', 'earthquakes.json');
      await expect(summary).toHaveAttribute('data-rows', '1707');
      await expect(summary).toContainText(from);
      await expect(page.getByTestId('skipped-columns')).toContainText(
        'Skipped 3 columns: type (string): a key of the object around the records (the rows are the records in ' +
          '"features"); metadata (object)',
      );
      const depth = page.getByTestId('schema-table').locator('tr', { hasText: 'geometry.coordinates.2' });
      await expect(depth).toContainText('float');
      // The data worker writes the cache entry after the load; the duplicate count waits for it.
      await expect(page.getByTestId('duplicate-count')).toBeVisible();
    }
  });

  test("a JSON file from Python's json.dumps (bare NaN, Infinity) loads, its non-finite values counted", async ({
    page,
  }) => {
    await ready(page);
    // What json.dumps writes for float('nan') and float('inf'): words JSON.parse refuses.
    const rows = Array.from({ length: 60 }, (_, i) => {
      const x = i === 3 ? 'NaN' : i === 9 ? 'Infinity' : i === 20 ? '-Infinity' : String(i / 4);
      return `{"x": ${x}, "z": ${i % 5}, "label": "${i % 2 ? 'yes' : 'no'}"}`;
    });
    await page.getByTestId('file-input').setInputFiles({
      name: 'from-python.json',
      mimeType: 'application/json',
      buffer: Buffer.from(`[${rows.join(', ')}]`),
    });
    await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-name', 'from-python.json');
    await expect(page.getByTestId('data-error')).toHaveCount(0);
    const x = page.getByTestId('schema-table').locator('tr', { hasText: /^x/ });
    await expect(x).toContainText('float');
    await expect(x.getByTestId('non-finite')).toHaveText('3 NaN/Infinity');
    // Min and max leave the non-finite values out.
    await expect(x).toContainText('0.00 – 14.8');
    // Training on x is refused, naming the column; the data stays loaded.
    await page.getByLabel('Epochs').fill('1');
    await page.getByTestId('train-button').click();
    await expect(page.getByTestId('run-error')).toContainText('column "x"');
    await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-name', 'from-python.json');
  });

  test('a column the default features leave out says why on its checkbox (a name per row: an identifier)', async ({
    page,
  }) => {
    await ready(page);
    const rows = Array.from({ length: 200 }, (_, i) => `user-${i},${i % 7},${i % 2 ? 'yes' : 'no'}`);
    await page.getByTestId('file-input').setInputFiles({
      name: 'users.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`user,n,label\n${rows.join('\n')}\n`),
    });
    await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-name', 'users.csv');
    const user = page.getByRole('checkbox', { name: 'use user as a feature' });
    await expect(user).not.toBeChecked();
    await expect(user).toHaveAttribute(
      'title',
      'not a feature by default: categorical with 200 distinct values in 200 rows, read as an identifier',
    );
    await expect(page.getByRole('checkbox', { name: 'use n as a feature' })).toBeChecked();
    await expect(page.getByRole('checkbox', { name: 'use n as a feature' })).not.toHaveAttribute('title');
  });

  test('a ragged CSV is refused with the line and the counts, and the sample stays', async ({ page }) => {
    await ready(page);
    await page
      .getByTestId('file-input')
      .setInputFiles({ name: 'ragged.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b,c\n1,2,3\n4,5\n6,7,8\n') });
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
    const schema = await page.locator('table.schema tbody').innerText();
    // The data worker writes the cache entry after the load; the duplicate count waits for it.
    await expect(page.getByTestId('duplicate-count')).toBeVisible();
    await page.getByTestId('file-input').setInputFiles(file);
    await expect(page.getByTestId('dataset-summary')).toContainText('from the cache');
    await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '1000');
    // The schema statistics come from the cache too, and say the same.
    expect(await page.locator('table.schema tbody').innerText()).toBe(schema);
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
    await expect(page.getByTestId('data-error')).toContainText(
      'Loading big.csv was cancelled; the dataset in use is unchanged',
    );
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
  // Row groups were spread over two workers.
  await expect(summary).toContainText('on 2 cores');
  // The same statistics as a single-threaded read would give (computed by the CLI's reader in Node).
  await expect(summary.locator('tr', { hasText: 'destination' })).toContainText('228');
  await expect(summary.locator('tr', { hasText: 'delay' })).toContainText('6.67'); // mean delay
  // Timestamps read as date-times, not as millisecond counts ('978 G').
  const dateRow = summary.locator('tr', { hasText: 'timestamp' });
  await expect(dateRow).toContainText(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
  await expect(dateRow).not.toContainText(' G');
  const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
  expect(longTasks.filter((d) => d > 100)).toEqual([]);

  // Opened again (issue: a second load decoded the file again): served from the cache, with the
  // same schema. The duplicate count follows the cache write, so once it shows the entry is there.
  await expect(page.getByTestId('duplicate-count')).toBeVisible({ timeout: 60_000 });
  const schema = await summary.locator('table.schema tbody').innerText();
  await page.getByTestId('file-input').setInputFiles('node_modules/vega-datasets/data/flights-3m.parquet');
  await expect(summary).toContainText('from the cache', { timeout: 60_000 });
  await expect(summary).toHaveAttribute('data-rows', '3000000');
  expect(await summary.locator('table.schema tbody').innerText()).toBe(schema);
});

test('duplicates, train/test leaks and the neighbour inspector', async ({ page }) => {
  await ready(page);
  // 60 distinct rows, each written 4 times: 180 repeats, and repeats land on both sides of the split.
  const lines = ['a,b,kind,label'];
  for (let rep = 0; rep < 4; rep++)
    for (let i = 0; i < 60; i++) lines.push(`${i},${(i * 7) % 13},${['x', 'y', 'z'][i % 3]},${i % 2 ? 'odd' : 'even'}`);
  await page
    .getByTestId('file-input')
    .setInputFiles({ name: 'repeats.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
  await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '240');
  await expect(page.getByTestId('duplicate-count')).toHaveAttribute('data-dropped', '180');
  await page.getByTestId('quality-check').click();
  const report = page.getByTestId('leak-report');
  await expect(report).toHaveAttribute('data-dropped', '180');
  // Without dedup, copies land on both sides of the split: validation and test rows repeat training rows.
  expect(Number(await report.getAttribute('data-exact'))).toBeGreaterThan(10);
  await expect(report.locator('.leak-examples li').first()).toContainText('repeats train row');

  await page.getByTestId('neighbour-row').fill('3');
  await page.getByTestId('neighbour-inspector').getByRole('button', { name: 'Show' }).click();
  const results = page.getByTestId('neighbour-results');
  await expect(results).toHaveAttribute('data-row', '3');
  await expect(results).toHaveAttribute('data-count', '5');
  // Rows 63, 123 and 183 are exact copies of row 3: they come first, at distance 0.
  const firstRows = await results.locator('tbody tr td:first-child').allTextContents();
  expect(firstRows.slice(0, 3).sort()).toEqual(['123', '183', '63']);
  expect(await results.locator('tbody tr td:nth-child(2)').first().textContent()).toBe('0.00');
});

test('image rows show as pictures in the neighbour inspector', async ({ page }) => {
  await ready(page);
  await page.getByTestId('file-input').setInputFiles('public/datasets/mnist-2k.arrow');
  await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '2000');
  await page.getByTestId('neighbour-row').fill('10');
  await page.getByTestId('neighbour-inspector').getByRole('button', { name: 'Show' }).click();
  await expect(page.getByTestId('neighbour-results').locator('canvas.thumb')).toHaveCount(6);
});

test('after training, a misclassified validation row opens in the neighbour inspector', async ({ page }) => {
  await ready(page);
  // A barely trained model: one epoch at a tiny learning rate gets validation rows wrong.
  await page.getByLabel('Learning rate').fill('0.0003');
  await page.getByLabel('Epochs').fill('1');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  const wrong = page.getByTestId('misclassified').getByRole('button').first();
  await expect(wrong).toBeVisible();
  const row = (await wrong.textContent())!.replace('row ', '');
  await wrong.click();
  await expect(page.getByTestId('neighbour-results')).toHaveAttribute('data-row', row);
});

test('Bloom dedup shows its false-positive rate and drops repeats in runs', async ({ page }) => {
  await ready(page);
  const lines = ['a,b,label'];
  for (let rep = 0; rep < 3; rep++) for (let i = 0; i < 100; i++) lines.push(`${i},${i % 7},${i % 2 ? 'odd' : 'even'}`);
  await page
    .getByTestId('file-input')
    .setInputFiles({ name: 'bloom.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
  await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '300');
  await page.getByTestId('config-form').getByText('bloom', { exact: true }).click();
  await page.getByTestId('config-form').getByText('none', { exact: true }).click();
  await page.getByTestId('quality-check').click();
  const report = page.getByTestId('leak-report');
  await expect(report).toContainText('bloom, fpr 0.01');
  // Every repeat is dropped; a Bloom filter may also drop a new row now and then (fpr 1 %).
  expect(Number(await report.getAttribute('data-dropped'))).toBeGreaterThanOrEqual(200);
  expect(Number(await report.getAttribute('data-dropped'))).toBeLessThanOrEqual(205);
  // With dedup on, no validation or test row repeats a training row.
  await expect(report).toHaveAttribute('data-exact', '0');
  await page.getByLabel('Epochs').fill('1');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  await expect(page.getByTestId('run-status')).toContainText('dedup dropped');
});

test('the sample picker loads MNIST digits with their label and a CNN', async ({ page }) => {
  await ready(page);
  await page.getByTestId('sample-mnist-2k.arrow').click();
  await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-name', 'mnist-2k.arrow');
  await expect(page.getByTestId('label-select')).toHaveValue('digit');
  await expect(page.getByTestId('model-select')).toHaveValue('cnn');
  await page.getByTestId('sample-penguins.arrow').click();
  await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-name', 'penguins.arrow');
  await expect(page.getByTestId('model-select')).toHaveValue('mlp');
});
