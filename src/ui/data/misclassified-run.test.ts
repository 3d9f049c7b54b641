import { describe, expect, it } from 'vitest';
import { latestMisclassifiedRun } from './misclassified-run';

type R = Parameters<typeof latestMisclassifiedRun>[0][number];
const acc = [{ epoch: 0, trainLoss: 0.5, valLoss: 0.4, valAccuracy: 0.9 }];
const run = (
  id: string,
  finishedAt: number,
  misclassified: { row: number; predicted: string }[] | undefined,
  more: Partial<R> = {},
): R => ({
  id,
  status: 'done',
  finishedAt,
  misclassified,
  origin: null,
  epochs: acc,
  config: { data: { fingerprint: 'sha-p', name: 'penguins.arrow' } } as R['config'],
  ...more,
});

describe('the run whose wrong validation rows are listed', () => {
  it('after a sweep: the run that finished last, even when it got every row right', () => {
    // Rung 0: two configurations; rung 1: the better one, trained longer, gets all rows right.
    const runs = [
      run('c0', 10, [{ row: 3, predicted: 'Adelie' }]),
      run('c1', 20, [{ row: 5, predicted: 'Gentoo' }]),
      run('c1-r1', 30, []),
    ];
    expect(latestMisclassifiedRun(runs, 'sha-p')?.id).toBe('c1-r1');
  });

  it('by finishing time, not by place in the list', () => {
    expect(
      latestMisclassifiedRun(
        [run('late', 50, [{ row: 1, predicted: 'x' }]), run('early', 40, [{ row: 2, predicted: 'y' }])],
        'sha-p',
      )?.id,
    ).toBe('late');
  });

  it('only classification runs made here, on this file, that ended with a report', () => {
    const runs = [
      run('ok', 1, [{ row: 1, predicted: 'x' }]),
      run('other-file', 9, [], { config: { data: { fingerprint: 'sha-q', name: 'penguins.arrow' } } as R['config'] }),
      run('shared', 9, [], { origin: 'nvidia' }),
      run('failed', 9, [], { status: 'failed' }),
      run('running', 9, undefined, { status: 'running', finishedAt: null }),
      run('regression', 9, [], { epochs: [{ epoch: 0, trainLoss: 1, valLoss: 1, valAccuracy: null }] }),
      run('restored', 9, undefined),
    ];
    expect(latestMisclassifiedRun(runs, 'sha-p')?.id).toBe('ok');
    expect(latestMisclassifiedRun(runs, null)).toBeNull();
    expect(latestMisclassifiedRun(runs, 'sha-z')).toBeNull();
  });
});
