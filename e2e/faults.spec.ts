/**
 * Faults in the middle of work: the trainer worker closed mid-run, the decode worker closed
 * during a load, the data worker closed mid-run, the WGSL engine's GPU device lost. Each time
 * the run (or load) ends with a message, the finished runs, the dataset in use and the queue
 * stay, and the next run trains without a reload of the page.
 *
 * A worker is closed from inside (`self.close()`), which is how a browser ending a worker looks
 * to the page: no 'error' event, nothing but silence. Only the lifeline (src/workers/lifeline.ts)
 * tells the page.
 */
import { expect, test, type Page, type Worker } from '@playwright/test';
import { openWorkbench } from './support';

async function workerNamed(page: Page, part: string): Promise<Worker> {
  let found: Worker | undefined;
  await expect
    .poll(() => (found = page.workers().find((w) => w.url().includes(part))) !== undefined, { timeout: 30_000 })
    .toBe(true);
  return found!;
}

/** Closes a worker from inside; the evaluate itself never answers, so it is not awaited. */
function closeWorker(w: Worker): void {
  void w.evaluate(() => setTimeout(() => (self as unknown as { close(): void }).close(), 0)).catch(() => undefined);
}

const queueState = (page: Page) =>
  page.evaluate(() => {
    const q = document.querySelector('[data-testid="run-queue"]');
    return `${q?.getAttribute('data-running')}/${q?.getAttribute('data-waiting')}/${q?.getAttribute('data-finished')}`;
  });

async function useCpu(page: Page): Promise<void> {
  // tfjs-cpu: SwiftShader would take both cores of the test machine (see compare.spec.ts).
  const backends = page.getByTestId('backend-chips');
  await backends.getByText('cpu', { exact: true }).click();
  await backends.getByText('webgpu', { exact: true }).click();
}

/** Queues a run of `epochs` epochs with the form as it stands. */
async function queue(page: Page, epochs: number): Promise<void> {
  await page.getByTestId('config-form').getByLabel('Epochs').fill(String(epochs));
  await page.getByTestId('add-to-queue').click();
}

async function waitRunning(page: Page): Promise<void> {
  const status = page.getByTestId('run-status');
  await expect(status).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  await expect
    .poll(async () => Number(await status.getAttribute('data-steps')), { timeout: 60_000 })
    .toBeGreaterThan(2);
}

async function finishedWith(page: Page, status: string): Promise<string[]> {
  const open = page.getByRole('button', { name: /^Runs \(/ });
  if (await open.count()) await open.click();
  const rows = page.getByTestId('finished-run').filter({ has: page.locator(`.status-${status}`) });
  const titles = await rows.locator('.ellipsis').evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''));
  const hide = page.getByRole('button', { name: 'Hide runs' });
  if (await hide.count()) await hide.click();
  return titles;
}

/**
 * With one finished run behind it: a long run starts, a short one waits, the worker is closed
 * mid-run; that run fails saying so, the waiting one trains (queue: 0 running, 0 waiting, 3 done).
 */
async function closeMidRun(page: Page, part: string, label: string): Promise<void> {
  await queue(page, 400);
  await waitRunning(page);
  await queue(page, 2);
  await expect.poll(() => queueState(page), { intervals: [250] }).toBe('1/1/1');
  closeWorker(await workerNamed(page, part));
  await expect(page.getByRole('status').filter({ hasText: `the ${label} worker stopped unexpectedly` })).toBeVisible({
    timeout: 30_000,
  });
  await expect.poll(() => queueState(page), { intervals: [500], timeout: 120_000 }).toBe('0/0/3');
  const failed = await finishedWith(page, 'failed');
  expect(failed).toHaveLength(1);
  expect(failed[0]).toContain(`the ${label} worker stopped unexpectedly`);
  expect(await finishedWith(page, 'done')).toHaveLength(2);
  await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '344');
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done');
}

test.describe('faults', () => {
  test('the trainer worker closed mid-run: that run fails with a message, the rest of the queue trains', async ({
    page,
  }) => {
    test.setTimeout(240_000);
    const errors = await openWorkbench(page);
    await useCpu(page);
    await queue(page, 2);
    await expect.poll(() => queueState(page), { intervals: [500], timeout: 90_000 }).toBe('0/0/1');
    // The queued run trains in a fresh trainer worker.
    await closeMidRun(page, 'trainer.worker', 'trainer');
    expect(errors).toEqual([]);
  });

  test(
    'the decode worker closed during a load, the data worker closed mid-run: messages, the dataset stays, ' +
      'the next run trains',
    async ({ page }) => {
      test.setTimeout(240_000);
      const errors = await openWorkbench(page);
      await useCpu(page);
      await queue(page, 2);
      await expect.poll(() => queueState(page), { intervals: [500], timeout: 90_000 }).toBe('0/0/1');

      // The decode worker waiting for the next load closes itself when the load's call arrives
      // (a worker busy decoding runs nothing else, so it cannot be closed from outside mid-decode).
      const decoders = page.workers().filter((w) => w.url().includes('decode.worker'));
      expect(decoders.length).toBeGreaterThan(0);
      for (const w of decoders) {
        await w.evaluate(() =>
          self.addEventListener('message', (e: MessageEvent) => {
            if ((e.data as { kind?: string } | null)?.kind === 'call') (self as unknown as { close(): void }).close();
          }),
        );
      }
      await page.getByTestId('file-input').setInputFiles('node_modules/vega-datasets/data/flights-200k.arrow');
      await expect(page.getByText(/the decode worker stopped unexpectedly/)).toBeVisible({ timeout: 30_000 });
      await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '344');
      await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-name', 'penguins.arrow');

      // The data worker feeds the running run its batches and holds the dataset in use: it is
      // decoded again and the queued run trains on it.
      await closeMidRun(page, 'data.worker', 'data');
      expect(errors).toEqual([]);
    },
  );

  test('the GPU device lost under the WGSL engine: the run fails saying so, the next one opens a new device', async ({
    page,
  }) => {
    test.setTimeout(240_000);
    const errors = await openWorkbench(page);
    await useCpu(page);
    const engines = page.getByTestId('engine-chips');
    await engines.getByText('wgsl', { exact: true }).click();
    await engines.getByText('tfjs', { exact: true }).click();
    await expect(page.getByTestId('matrix-size')).toHaveAttribute('data-runs', '1');
    await queue(page, 400);
    await waitRunning(page);
    await queue(page, 2);
    // Every step records a command encoder on the engine's device: the first one seen is destroyed.
    const trainer = await workerNamed(page, 'trainer.worker');
    await trainer.evaluate(() => {
      const proto = GPUDevice.prototype;
      const original = proto.createCommandEncoder;
      let done = false;
      proto.createCommandEncoder = function (this: GPUDevice, ...args: Parameters<GPUDevice['createCommandEncoder']>) {
        if (!done) {
          done = true;
          proto.createCommandEncoder = original;
          setTimeout(() => this.destroy(), 0);
        }
        return original.apply(this, args);
      };
    });
    await expect.poll(() => queueState(page), { intervals: [500], timeout: 150_000 }).toBe('0/0/2');
    const failed = await finishedWith(page, 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toContain('the GPU device was lost');
    console.log(`device lost: ${JSON.stringify(failed)}`);
    const done = await finishedWith(page, 'done');
    expect(done).toHaveLength(1);
    // The tfjs backend is cpu here: a run on webgpu is one the WGSL engine trained.
    expect(done[0]).toContain('webgpu');
    expect(done[0]).toContain('wgsl');
    expect(errors).toEqual([]);
  });
});
