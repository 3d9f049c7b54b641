import { expect, test } from '@playwright/test';

// A share link carries a comparison to another machine: here, another browser context (its
// own storage, nothing in common with the first but the link). Runs train on tfjs-cpu, as in
// compare.spec.ts (SwiftShader's WebGPU would starve the page on this two-core machine).
test('a share link opens the same comparison elsewhere, and its configurations run there beside it', async ({
  browser,
  page,
}) => {
  test.setTimeout(180_000);
  await page.goto('/');
  await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '344');
  await expect(page.getByTestId('share-button')).toBeDisabled(); // nothing finished yet
  const form = page.getByTestId('config-form');
  await form.getByLabel('Epochs').fill('5');
  const backends = page.getByTestId('backend-chips');
  await backends.getByText('cpu', { exact: true }).click();
  await backends.getByText('webgpu', { exact: true }).click();
  await page.getByTestId('add-to-queue').click();
  await expect(page.getByTestId('run-queue')).toHaveAttribute('data-finished', '1', { timeout: 120_000 });
  await expect(page.getByTestId('results-table')).toHaveAttribute('data-rows', '1');

  await page.getByTestId('share-button').click();
  const field = page.getByTestId('share-link');
  await expect(field).toHaveValue(/#share=[A-Za-z0-9_-]+$/);
  const link = await field.inputValue();
  await expect(page.getByTestId('share-panel')).toContainText('1 finished run');

  // Someone else's machine.
  const other = await browser.newContext();
  const theirs = await other.newPage();
  const errors: string[] = [];
  theirs.on('pageerror', (e) => errors.push(e.message));
  await theirs.goto(link);
  const banner = theirs.getByTestId('shared-banner');
  await expect(banner).toContainText('1 run on penguins.arrow (344 rows)');
  await expect(banner).toContainText('trained on cpu');
  const table = theirs.getByTestId('results-table');
  await expect(table).toHaveAttribute('data-rows', '1');
  await expect(table).toContainText('shared: cpu');
  expect(new URL(theirs.url()).hash).toBe(''); // opened once; its runs persist, the fragment goes
  await expect(theirs.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '344');

  await theirs.getByTestId('shared-run-here').click();
  await expect(theirs.getByTestId('shared-rerun')).toContainText('Queued 1 run');
  await expect(theirs.getByTestId('run-queue')).toHaveAttribute('data-finished', '2', { timeout: 120_000 });
  await expect(table).toHaveAttribute('data-rows', '2');
  await expect(table).toContainText('here');
  await expect(table).toContainText('shared: cpu');
  await theirs.waitForTimeout(1200); // the charts follow the store once a second
  await theirs.screenshot({ path: 'docs/screenshots/share.png' });

  // The shared run is stored like any finished run.
  await theirs.reload();
  await expect(theirs.getByTestId('results-table')).toHaveAttribute('data-rows', '2');
  await expect(theirs.getByTestId('shared-banner')).toHaveCount(0);
  expect(errors).toEqual([]);
  await other.close();
});

test('a damaged share link gets a message and the workbench works as usual', async ({ page }) => {
  await page.goto('/#share=Zm9vYmFy');
  await expect(page.getByTestId('shared-error')).toContainText(
    'This share link could not be opened: the link is cut off or damaged',
  );
  await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '344');
  await page.goto('/#share=not*base64');
  await expect(page.getByTestId('shared-error')).toContainText('stray character at position 4');
});
