import { expect, test } from '@playwright/test';
import { openWorkbench } from './support';

test('a search over a space runs its trials, puts the best in the Run form, is back after a reload, and travels in a share link', async ({
  browser,
  page,
}) => {
  test.setTimeout(180_000);
  const errors = await openWorkbench(page);
  await page.getByText('Search (TPE, Hyperband)').click();
  const panel = page.getByTestId('search-panel');
  // Two dimensions: drop the third (the optimizer choice).
  await panel.getByRole('button', { name: 'Remove optimizer.name' }).click();
  await expect(panel.getByTestId('space-row')).toHaveCount(2);
  await panel.getByLabel('Early stopping').selectOption('halving');
  await panel.getByLabel('Configurations').fill('3');
  await panel.getByLabel('Longest trial (steps)').fill('6');
  await panel.getByLabel('Keep 1 in (η)').fill('3');
  // Two objectives: validation loss, and the model's size (the Pareto pair of an architecture search).
  await panel.getByLabel('Second objective').selectOption('parameters');
  // 3 configurations at 2 steps, the best at 6.
  await expect(panel.getByTestId('search-plan')).toContainText('4 trials (configurations × steps: 3×2 → 1×6)');
  // A log range reaching 0 is refused, naming the dimension.
  const lrFrom = panel.getByLabel('From 1', { exact: true });
  await lrFrom.fill('0');
  await panel.getByTestId('search-start').click();
  await expect(page.getByTestId('settings-error')).toContainText('sweep.space.optimizer.learningRate');
  await lrFrom.fill('0.001');
  await panel.getByTestId('search-start').click();
  await expect(page.getByTestId('settings-error')).toHaveCount(0);

  const trials = panel.getByTestId('search-trials');
  await expect(trials).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  await expect(panel.getByTestId('search-trial')).toHaveCount(4);
  // One configuration reached the largest budget: it is the front.
  await expect(panel.locator('[data-testid="search-trial"][data-pareto="true"]')).toHaveCount(1);
  await panel.getByLabel('Plot against').selectOption('parameters');
  await expect(panel.getByTestId('search-best')).toContainText(
    /Best at 6 steps: validation loss [\d.]+ with optimizer\.learningRate [\d.e-]+, batchSize \d+/,
  );
  const best = (await panel.getByTestId('search-best').textContent()) ?? '';
  const batch = /batchSize (\d+)/.exec(best)![1];
  await panel.getByTestId('search-best-to-form').click();
  await expect(page.getByLabel('Batch size')).toHaveValue(batch);
  await page.waitForTimeout(500);

  await page.reload();
  await page.getByText('Search (TPE, Hyperband)').click();
  await expect(page.getByTestId('search-trials')).toHaveAttribute('data-status', 'done', { timeout: 30_000 });
  await expect(page.getByTestId('search-trial')).toHaveCount(4);

  // A share link carries it: another browser context opens it read-only.
  await page.getByTestId('share-button').click();
  const link = await page.getByTestId('share-link').inputValue();
  const other = await browser.newContext();
  const theirs = await other.newPage();
  theirs.on('pageerror', (e) => errors.push(e.message));
  await theirs.goto(link);
  await expect(theirs.getByTestId('shared-banner')).toContainText('on penguins.arrow');
  await theirs.getByText('Search (TPE, Hyperband)').click();
  await expect(theirs.getByTestId('search-trials')).toHaveAttribute('data-status', 'shared');
  await expect(theirs.getByTestId('search-trial')).toHaveCount(4);
  await expect(theirs.getByTestId('search-best')).toContainText(`batchSize ${batch}`);
  await other.close();
  expect(errors).toEqual([]);
});
