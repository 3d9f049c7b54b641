import { expect, test, type Page } from '@playwright/test';

/** Starts recording long tasks (buffered) and returns the time the recording counts from. */
async function watchLongTasks(page: Page): Promise<number> {
  return page.evaluate(() => {
    const w = window as unknown as { longTasks: { start: number; duration: number; name: string }[] };
    w.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push({ start: e.startTime, duration: e.duration, name: e.name });
    }).observe({ type: 'longtask', buffered: true });
    return performance.now();
  });
}

async function longTasksSince(page: Page, since: number): Promise<{ start: number; duration: number }[]> {
  return page.evaluate(
    (t) =>
      (window as unknown as { longTasks: { start: number; duration: number }[] }).longTasks.filter((e) => e.start >= t),
    since,
  );
}

async function expectTwoRowsWithNumbers(page: Page): Promise<void> {
  const table = page.getByTestId('results-table');
  await expect(table).toHaveAttribute('data-rows', '2');
  const rows = table.getByTestId('results-row');
  await expect(rows).toHaveCount(2);
  for (const row of await rows.all()) {
    expect(Number(await row.getAttribute('data-samples-per-sec'))).toBeGreaterThan(0);
    await expect(row).toContainText('samples/s');
  }
  await expect(table).toContainText('batch 16');
  await expect(table).toContainText('batch 64');
}

test.describe('comparing configurations', () => {
  test('queues two batch sizes, compares them, keeps them over a reload, main thread never stalls', async ({
    page,
  }) => {
    test.setTimeout(180_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto('/');
    await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '344');

    const form = page.getByTestId('config-form');
    await form.getByLabel('Batch size').fill('16, 64');
    await form.getByLabel('Epochs').fill('40'); // a few seconds of training per run on tfjs-cpu
    // Train on tfjs-cpu here: headless Chromium's WebGPU is SwiftShader, which emulates the GPU
    // on both of this machine's cores and starves the page's main thread, something no real
    // GPU does. The WebGPU path itself is covered by workbench.spec.ts and trainer.spec.ts.
    const backends = page.getByTestId('backend-chips');
    await backends.getByText('cpu', { exact: true }).click();
    await backends.getByText('webgpu', { exact: true }).click();
    await expect(page.getByTestId('matrix-size')).toHaveAttribute('data-runs', '2');

    const since = await watchLongTasks(page);
    await page.getByTestId('add-to-queue').click();
    // While the queue runs, poll with a plain evaluate twice a second: Playwright's locator
    // assertions poll on every animation frame with its injected script, main-thread work of
    // the test's own that would count as the page's long tasks.
    const queueState = () =>
      page.evaluate(() => {
        const q = document.querySelector('[data-testid="run-queue"]');
        return `${q?.getAttribute('data-running')}/${q?.getAttribute('data-waiting')}/${q?.getAttribute('data-finished')}`;
      });
    await expect.poll(queueState, { intervals: [250] }).toBe('1/1/0');
    await expect.poll(queueState, { intervals: [500], timeout: 150_000 }).toBe('0/0/2');
    const long = await longTasksSince(page, since);
    const marks = await page.evaluate(() =>
      performance
        .getEntriesByType('mark')
        .filter((m) => m.name.startsWith('trainbench:'))
        .map((m) => `${m.name.split(':')[1]} ${Math.round(m.startTime)}`),
    );
    console.log(`long tasks while the queue ran: ${JSON.stringify(long)}; runs: ${marks.join(', ')}`);
    await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'cpu');

    const compare = page.getByTestId('compare-chart');
    await expect(compare).toHaveAttribute('data-series', '2');
    await expect(page.getByTestId('loss-chart').locator('path.recharts-curve')).toHaveCount(2);
    await expectTwoRowsWithNumbers(page);
    await expect(page.getByTestId('results-table')).toContainText('cpu');

    await page.waitForTimeout(1500); // the charts follow the store once a second
    await page.screenshot({ path: 'docs/screenshots/compare.png' });
    await page.getByRole('tab', { name: 'Step time' }).click();
    await page.getByRole('button', { name: /^Runs \(/ }).click();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: 'docs/screenshots/compare-1280.png' });
    // The trainer runs in a worker; the page only renders metrics a few times a second.
    expect(long.filter((t) => t.duration > 100)).toEqual([]);

    await page.reload();
    await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '344');
    await expect(page.getByTestId('compare-chart')).toHaveAttribute('data-series', '2');
    await expectTwoRowsWithNumbers(page);
    await expect(page.getByTestId('loss-chart').locator('path.recharts-curve')).toHaveCount(2);

    // Deleting a run removes it from the store and from storage.
    await page.getByRole('button', { name: /^Runs \(/ }).click();
    await page.getByRole('button', { name: /^Delete run .*batch 64/ }).click();
    await expect(page.getByTestId('results-table')).toHaveAttribute('data-rows', '1');
    await page.reload();
    await expect(page.getByTestId('results-table')).toHaveAttribute('data-rows', '1');
    await expect(page.getByTestId('results-table')).toContainText('batch 16');
    expect(errors).toEqual([]);
  });

  test('a sweep runs successive halving and shows who was stopped early', async ({ page }) => {
    test.setTimeout(180_000);
    await page.goto('/');
    await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '344');
    await page.getByTestId('config-form').getByLabel('Batch size').fill('16, 64');
    await page.getByText('Sweep (successive halving)').click();
    await page.getByLabel('Start budget').fill('1');
    await page.getByLabel('Budget cap').fill('2');
    await expect(page.getByTestId('sweep-plan')).toContainText('2 × 1 ep. → 1 × 2 ep.');
    await page.getByTestId('sweep-button').click();

    const queue = page.getByTestId('run-queue');
    await expect(queue).toHaveAttribute('data-running', '1');
    await page.getByRole('button', { name: /^Runs \(/ }).click();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: 'docs/screenshots/sweep-running.png' });
    const table = page.getByTestId('sweep-table');
    await expect(page.locator('.sweep-status')).toContainText('done', { timeout: 150_000 });
    await expect(queue).toHaveAttribute('data-finished', '3');
    // Two configurations at 1 epoch, the better one again at 2 epochs: one stopped early.
    await expect(table.locator('tbody tr')).toHaveCount(2);
    await expect(table.locator('tr[data-stopped-early="true"]')).toHaveCount(1);
    await expect(table.locator('tbody tr').first()).toContainText('2 ep.');
    await expect(table.locator('tbody tr').first()).toContainText('finished');
    // The results table has a row per configuration and budget: 2 at 1 epoch, 1 at 2 epochs.
    await expect(page.getByTestId('results-table')).toHaveAttribute('data-rows', '3');
    await page.getByRole('button', { name: 'Hide runs' }).click();
    await page.getByTestId('sweep-table').scrollIntoViewIfNeeded();
    await page.waitForTimeout(1500);
    await page.screenshot({ path: 'docs/screenshots/sweep.png' });
  });
});
