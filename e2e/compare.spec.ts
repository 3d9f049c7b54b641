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
  return page.evaluate((t) => (window as unknown as { longTasks: { start: number; duration: number }[] }).longTasks.filter((e) => e.start >= t), since);
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
  test('queues two batch sizes, compares them, keeps them over a reload, main thread never stalls', async ({ page }) => {
    test.setTimeout(180_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto('/');
    await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '344');

    const form = page.getByTestId('config-form');
    await form.getByLabel('Batch size').fill('16, 64');
    await form.getByLabel('Epochs').fill('3');
    await expect(page.getByTestId('matrix-size')).toHaveAttribute('data-runs', '2');

    const since = await watchLongTasks(page);
    await page.getByTestId('add-to-queue').click();
    const queue = page.getByTestId('run-queue');
    await expect(queue).toHaveAttribute('data-waiting', '1');
    await expect(queue).toHaveAttribute('data-running', '1');
    await expect(queue).toHaveAttribute('data-finished', '2', { timeout: 150_000 });
    await expect(queue).toHaveAttribute('data-running', '0');
    await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'webgpu');

    const compare = page.getByTestId('compare-chart');
    await expect(compare).toHaveAttribute('data-series', '2');
    await expect(page.getByTestId('loss-chart').locator('path.recharts-curve')).toHaveCount(2);
    await expectTwoRowsWithNumbers(page);
    await expect(page.getByTestId('results-table')).toContainText('webgpu');

    const long = await longTasksSince(page, since);
    console.log(`long tasks while the queue ran: ${JSON.stringify(long)}`);
    expect(long.filter((t) => t.duration > 100)).toEqual([]);

    await page.screenshot({ path: 'docs/screenshots/compare.png' });
    await page.getByRole('tab', { name: 'Step time' }).click();
    await page.getByRole('button', { name: /^Runs \(/ }).click();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: 'docs/screenshots/compare-1280.png' });

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
});
