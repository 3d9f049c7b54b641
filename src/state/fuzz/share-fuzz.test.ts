/**
 * Seeded fuzz of share links (issue 12: hostile links hung the decoder, kept unknown keys and
 * huge arrays, `__proto__` keys, Infinity, negative counts). Mutations of real encoded links are
 * opened with the workbench's own unpacker in a child process with a time and heap limit (see
 * share-fuzz-child.ts for the mutations and the schema check that is independent of the
 * decoder): no hang, no case slower than 5 s, every refusal a ShareLinkError in the link's
 * terms (no JavaScript error text), every hostile case meant to be refused refused, every benign
 * one opened, and every opened link a fresh payload that passes the independent schema and
 * survives a re-encode/decode round trip unchanged.
 *
 * It lives in src/state because it drives `unpackPayload` (src/state/share-pack.ts), which src/core
 * may not import. `TRAINBENCH_SHARE_FUZZ_CASES` sets the campaign size: 2,000 in `npm test` (31 s
 * on this shared two-core machine), 10,000 under `npm run fuzz` (about 2 minutes here; it passes).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const CASES = Number(process.env.TRAINBENCH_SHARE_FUZZ_CASES ?? 2000);
/** Text only JavaScript or a library would write: it must never reach the banner. */
const INTERNAL =
  /Cannot read|Cannot destructure|of undefined|of null|is not a function|is not iterable|Unexpected token|in JSON at position|Maximum call stack|Invalid (array|string|typed array) length|out of memory|TypeError|RangeError|SyntaxError|\[object /i;

interface Line {
  i: number;
  kind: string;
  expect: 'refuse' | 'accept' | 'any';
  outcome: string;
  message: string;
  check: string;
  ms: number;
}

describe(`share-link fuzz (${CASES} hostile links)`, () => {
  it('no hang, no internal error text, hostile links refused, and every opened link a valid fresh payload', () => {
    const r = spawnSync(
      process.execPath,
      ['--max-old-space-size=1024', '--import', 'tsx', 'src/state/fuzz/share-fuzz-child.ts', '12', String(CASES)],
      {
        encoding: 'utf8',
        timeout: Math.max(90_000, CASES * 40),
        maxBuffer: 64 << 20,
      },
    );
    const lines = r.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Line);
    const last = lines[lines.length - 1];
    expect(
      r.signal,
      `the child was stopped (a hang or memory blow-up) ` +
        `after case ${last?.i ?? 'none'}; stderr: ${r.stderr.slice(-500)}`,
    ).toBeNull();
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    expect(lines).toHaveLength(CASES);
    const slow = lines.filter((l) => l.ms > 5000);
    expect(slow.slice(0, 5)).toEqual([]);
    const wrong = lines.filter(
      (l) =>
        (l.outcome !== 'accepted' && l.outcome !== 'ShareLinkError') ||
        INTERNAL.test(l.message) ||
        (l.expect === 'refuse' && l.outcome !== 'ShareLinkError') ||
        (l.expect === 'accept' && l.outcome !== 'accepted') ||
        (l.outcome === 'accepted' && l.check !== 'ok'),
    );
    expect(wrong.slice(0, 5)).toEqual([]);
    // The campaign reaches both sides: most links refused, some opened, and every kind of damage tried.
    const accepted = lines.filter((l) => l.outcome === 'accepted').length;
    expect(accepted).toBeGreaterThan(CASES / 20);
    expect(CASES - accepted).toBeGreaterThan(CASES / 2);
    const kinds = new Set(lines.map((l) => l.kind));
    const all = [
      'chars',
      'cut',
      'insert',
      'remove',
      'equals',
      'deflate-bits',
      'value',
      'infinity',
      'count',
      'unknown-key',
      'proto',
      'missing-key',
      'url',
      'deep',
      'huge-list',
      'bomb',
      'runs',
      'version',
      'benign',
    ];
    if (CASES >= 1000) expect(all.filter((k) => !kinds.has(k))).toEqual([]);
  }, 900_000);
});
