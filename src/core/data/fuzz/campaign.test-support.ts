/**
 * The test side of a fuzz campaign (Node only: it spawns the child): runs `child` with a seed
 * and a case count in its own process (1 GB heap, a time limit), reads its JSON lines, and
 * asserts what every campaign holds: the child was not stopped (no hang, no memory blow-up), it
 * answered every case, no case ran past HANG_MS, and every outcome is a table or a DataError
 * without internal text. Returns the lines, outcome counts and the child's stderr for the campaign's own checks.
 */
import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';
import { HANG_MS, judge, type CaseLine } from './cases';

export function runCampaign(o: { child: string; seed: number; cases: number; input?: string; msPerCase: number }): {
  lines: CaseLine[];
  counts: Record<string, number>;
  stderr: string;
} {
  const r = spawnSync(
    process.execPath,
    ['--max-old-space-size=1024', '--import', 'tsx', o.child, String(o.seed), String(o.cases)],
    {
      input: o.input,
      encoding: 'utf8',
      timeout: Math.max(120_000, o.cases * o.msPerCase),
      maxBuffer: 64 << 20,
    },
  );
  const { lines, bad, slow, counts } = judge(r.stdout);
  const last = lines[lines.length - 1];
  expect(
    r.signal,
    `the child was stopped (a hang or memory blow-up) after case ${last?.i ?? 'none'}; stderr: ${r.stderr.slice(-500)}`,
  ).toBeNull();
  expect(r.status, r.stderr.slice(-2000)).toBe(0);
  expect(lines).toHaveLength(o.cases);
  expect(slow.slice(0, 5), `cases over ${HANG_MS} ms`).toEqual([]);
  expect(bad.slice(0, 5)).toEqual([]);
  return { lines, counts, stderr: r.stderr };
}
