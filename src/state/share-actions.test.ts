import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS, makeRunConfig, validateSettings } from '../core/train/run-config';
import { Rng } from '../core/data/rng';
import { createShareLink, datasetAddress, runSharedHere, shareBlocked } from './share-actions';
import { unpackPayload } from './share-pack';
import { SHARE_PREFIX } from '../core/share/link';
import { rerunConfig } from './queued-config';
import { initialState, store, type RunView } from './store';
import { startApp } from './app';
import { loadDataset, localQueueServices } from './test-services';
import type { DataApi } from '../services/protocol';

const loaded: string[] = [];
vi.mock('./data-actions', () => ({
  loadUrl: async (url: string) => void loaded.push(url),
  reloadAfterDataWorkerDeath: () => undefined,
}));

const data = {
  fingerprint: 'f',
  name: 'd.arrow',
  rows: 10,
  label: 'y',
  features: ['x'],
  dedup: 'exact' as const,
  split: { train: 0.8, val: 0.1, test: 0.1, seed: 3 },
};

describe('Run these here', () => {
  it('trains a shared run with its engine and precision, and an old tfjs run as tfjs', () => {
    const config = makeRunConfig(
      validateSettings({ ...DEFAULT_SETTINGS, seed: 3, engine: 'wgsl', precision: 'fp16-mixed', dedup: 'exact' }),
      data,
    );
    expect(rerunConfig(config, null, data)).toEqual(config);
    const { engine: _engine, ...old } = makeRunConfig({ ...DEFAULT_SETTINGS }, data);
    expect(rerunConfig(old as typeof config, null, data)).toMatchObject({ engine: 'tfjs', precision: 'fp32' });
    // A budgeted run stored before the budget was in its config trains with the budget again.
    expect(rerunConfig(makeRunConfig({ ...DEFAULT_SETTINGS }, data), 5, data)).toMatchObject({
      maxSeconds: 5,
      epochs: 100_000,
    });
  });
});

describe('the dataset address of a link (issue 12)', () => {
  const page = 'https://workbench.example';

  it("follows only what resolves to the page's origin; https elsewhere needs consent; tricks are refused", () => {
    for (const trick of [
      '/\\evil.example/x',
      '/\\\\evil.example',
      '/\t/evil.example/x',
      '//evil.example/x',
      '/\n/evil.example',
      'javascript:alert(1)',
      'data:text/plain,x',
      'https:/\\evil.example',
    ]) {
      expect(datasetAddress(trick, page).kind, JSON.stringify(trick)).toBe('refused');
      // What a URL parser would make of them: another host (so the text alone must never decide).
      if (trick.startsWith('/') && trick !== '/\n/evil.example') expect(new URL(trick, page).origin).not.toBe(page);
    }
    expect(datasetAddress('/datasets/penguins.arrow', page)).toEqual({
      kind: 'same-origin',
      href: 'https://workbench.example/datasets/penguins.arrow',
    });
    expect(datasetAddress('https://workbench.example/a.csv', page)).toEqual({
      kind: 'same-origin',
      href: 'https://workbench.example/a.csv',
    });
    expect(datasetAddress('https://data.example/f.parquet', page)).toEqual({
      kind: 'other-origin',
      href: 'https://data.example/f.parquet',
      origin: 'https://data.example',
    });
    expect(datasetAddress('http://data.example/f.parquet', page)).toEqual({
      kind: 'refused',
      why: 'it leads to http://data.example, another site, over plain http',
    });
    expect(datasetAddress('http://localhost:5173/x.csv', 'http://localhost:5173')).toEqual({
      kind: 'same-origin',
      href: 'http://localhost:5173/x.csv',
    });
  });

  it(
    "agrees with Node's URL parser on seeded random addresses: same-origin means the parsed origin " + "is the page's",
    () => {
      const rng = new Rng(12);
      const alphabet = [
        '/',
        '\\',
        '\t',
        '\n',
        ' ',
        '.',
        ':',
        '@',
        '%',
        '?',
        '#',
        'e',
        'v',
        'https:',
        'http:',
        '//',
        'workbench.example',
        'evil.example',
      ];
      const kinds = new Set<string>();
      for (let i = 0; i < 20_000; i++) {
        let u = rng.next() < 0.7 ? '/' : '';
        for (let j = 1 + rng.int(6); j > 0; j--) u += alphabet[rng.int(alphabet.length)];
        const a = datasetAddress(u, page);
        kinds.add(a.kind);
        if (a.kind === 'refused') continue;
        const parsed = new URL(u, page);
        expect(parsed.href, JSON.stringify(u)).toBe(a.href);
        if (a.kind === 'same-origin') expect(parsed.origin, JSON.stringify(u)).toBe(page);
        else
          expect([parsed.protocol, parsed.origin !== page, /^https:\/\//i.test(u)], JSON.stringify(u)).toEqual([
            'https:',
            true,
            true,
          ]);
      }
      expect([...kinds].sort()).toEqual(['other-origin', 'refused', 'same-origin']);
    },
  );

  describe('runSharedHere', () => {
    const open = (url: string) =>
      store.setState({
        shared: {
          error: null,
          dataset: { name: 'p.arrow', rows: 3, fingerprint: 'a'.repeat(64), url },
          runIds: [],
          createdAt: 1,
          origins: [],
          rerun: null,
        },
      });
    beforeEach(() => {
      loaded.length = 0;
      vi.stubGlobal('location', { origin: 'https://workbench.example' });
    });
    afterEach(() => vi.unstubAllGlobals());

    it('loads a path on this site without asking, from the resolved address', async () => {
      open('/datasets/p.arrow');
      const ask = vi.fn(() => true);
      await runSharedHere(ask);
      expect(loaded).toEqual(['https://workbench.example/datasets/p.arrow']);
      expect(ask).not.toHaveBeenCalled();
    });

    it('never follows an address that resolves to another host, and says so', async () => {
      for (const url of ['/\\evil.example/x', '/\\\\evil.example', '/\t/evil.example/x', '//evil.example/x']) {
        open(url);
        const ask = vi.fn(() => true);
        await runSharedHere(ask);
        expect(ask).not.toHaveBeenCalled();
        expect(store.getState().shared?.rerun).toMatch(
          /^The link's dataset address was not followed \(it is not an http\(s\) or relative URL\)\. Load p\.arrow/,
        );
      }
      expect(loaded).toEqual([]);
    });

    it('asks before loading from another https site, and loads nothing when refused', async () => {
      open('https://data.example/p.arrow');
      await runSharedHere(() => false);
      expect(loaded).toEqual([]);
      expect(store.getState().shared?.rerun).toMatch(/^Not loaded from https:\/\/data\.example\. Load p\.arrow/);
      const ask = vi.fn(() => true);
      await runSharedHere(ask);
      expect(ask).toHaveBeenCalledWith(
        'Load p.arrow from https://data.example/p.arrow? It is on another site (https://data.example), not ' +
          "this workbench's.",
      );
      expect(loaded).toEqual(['https://data.example/p.arrow']);
    });
  });
});

describe('Run these here, trained with the services in process (tfjs-cpu)', () => {
  it(
    "queues each shared run's own config on the same file, and trains it: features, split, dedup and " +
      'optimizer as shared',
    async () => {
      await tf.setBackend('cpu');
      store.setState(initialState, true);
      const services = localQueueServices();
      const app = startApp(services);
      await loadDataset(store, services, 'penguins.arrow', readFileSync('public/datasets/penguins.arrow'));
      const summary = store.getState().dataset.summary!;
      const features = store.getState().dataset.features.slice(0, 2);
      const settings = validateSettings({
        ...DEFAULT_SETTINGS,
        backend: 'cpu',
        batchSize: 16,
        epochs: 1,
        seed: 7,
        dedup: 'exact',
        optimizer: { name: 'sgd', learningRate: 0.05 },
      });
      const config = makeRunConfig(settings, {
        fingerprint: summary.fingerprint,
        name: 'renamed.arrow',
        rows: summary.rows,
        label: summary.defaultLabel,
        features,
        dedup: 'exact',
        split: { train: 0.7, val: 0.2, test: 0.1, seed: 9 },
      });
      const shared: RunView = {
        id: 'shared-1',
        title: 'shared',
        config,
        environment: null,
        status: 'done',
        steps: [],
        epochs: [],
        summary: null,
        error: null,
        info: null,
        colour: 0,
        createdAt: 1,
        startedAt: null,
        finishedAt: 2,
        budgetSec: null,
        expectedSteps: null,
        sweep: null,
        origin: 'elsewhere',
      };
      store.setState({
        runs: [shared],
        shared: {
          error: null,
          dataset: { name: 'renamed.arrow', rows: summary.rows, fingerprint: summary.fingerprint, url: null },
          runIds: [shared.id],
          createdAt: 1,
          origins: ['elsewhere'],
          rerun: null,
        },
      });
      await runSharedHere(() => false);
      expect(store.getState().shared?.rerun).toBe('Queued 1 run with the shared configurations on this machine.');
      expect(store.getState().dataset.features).toEqual(features);
      await app.queue.idle();
      const mine = store.getState().runs[1];
      expect(mine.status).toBe('done');
      expect(mine.config).toEqual({ ...config, data: { ...config.data, name: 'penguins.arrow' } });
      const asked = services.dataCalls
        .filter((c) => c.method === 'prepareRun')
        .map((c) => c.args as DataApi['prepareRun']['args']);
      expect(asked).toHaveLength(1);
      expect(asked[0]).toMatchObject({
        features: { label: summary.defaultLabel, features },
        dedup: 'exact',
        split: { train: 0.7, val: 0.2, test: 0.1, seed: 9 },
        batchSize: 16,
        seed: 7,
      });
      // A run shared from a streamed file: queued again it trains the file loaded whole, said in the banner.
      const streamedRun = { ...shared, id: 'shared-2', config: { ...config, data: { ...config.data, stream: true } } };
      store.setState((s) => ({ runs: [...s.runs, streamedRun], shared: { ...s.shared!, runIds: [streamedRun.id] } }));
      await runSharedHere(() => false);
      expect(store.getState().shared?.rerun).toBe(
        'Queued 1 run with the shared configurations on this machine. It trained streaming there and trains on the ' +
          'file loaded whole here (rows split by a seeded shuffle, not by position).',
      );
      await app.queue.idle();
      const again = store.getState().runs.at(-1)!;
      expect(again.status).toBe('done');
      expect(again.config.data).not.toHaveProperty('stream');

      // A link made while a dataset loads would name none (or the one being replaced): refused until it is in.
      vi.stubGlobal('location', { origin: 'https://workbench.example', pathname: '/' });
      try {
        const ready = store.getState().dataset;
        store.setState({ dataset: { ...ready, status: 'loading' } });
        expect(shareBlocked(store.getState())).toMatch(/^Wait for the dataset to load/);
        await createShareLink();
        expect(store.getState().share).toMatchObject({ status: 'error', url: null });
        expect(store.getState().share.error).toMatch(/^Wait for the dataset to load/);
        store.setState({ dataset: ready });
        expect(shareBlocked(store.getState())).toBeNull();
        await createShareLink();
        const url = store.getState().share.url!;
        expect(url.startsWith(`https://workbench.example/${SHARE_PREFIX}`)).toBe(true);
        const payload = await unpackPayload(url.slice(url.indexOf(SHARE_PREFIX) + SHARE_PREFIX.length));
        expect(payload.dataset).toMatchObject({ name: 'penguins.arrow', fingerprint: summary.fingerprint });
        store.setState({ runs: [] });
        expect(shareBlocked(store.getState())).toBe('Finish a run to share the comparison');
      } finally {
        vi.unstubAllGlobals();
      }
    },
  );
});
