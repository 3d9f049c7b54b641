import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsonSyntaxError } from './json-syntax';
import { Rng } from './rng';

// The reference is JSON.parse: the scan finds an error exactly when JSON.parse throws.

const agrees = (s: string) =>
  (jsonSyntaxError(s) === null) ===
  (() => {
    try {
      JSON.parse(s);
      return true;
    } catch {
      return false;
    }
  })();

/** One of `base` with one to three random edits: an insertion from `alphabet`, a deletion, a cut. */
function damaged(rng: Rng, base: readonly string[], alphabet: readonly string[]): string {
  let s = base[rng.int(base.length)];
  for (let m = 1 + rng.int(3); m > 0; m--) {
    const at = rng.int(s.length + 1);
    const op = rng.int(3);
    if (op === 0) s = s.slice(0, at) + alphabet[rng.int(alphabet.length)] + s.slice(at);
    else if (op === 1) s = s.slice(0, at) + s.slice(at + 1 + rng.int(4));
    else s = s.slice(0, at);
  }
  return s;
}

describe('jsonSyntaxError against JSON.parse', () => {
  it('agrees on 20,000 seeded damaged texts (valid or not), and points inside the text', () => {
    const rng = new Rng(5);
    const base = [
      readFileSync('node_modules/vega-datasets/data/weekly-weather.json', 'utf8'),
      '{"a":[1,-2.5e+3,0,true,false,null,"x\\u00e9\\n\\"",{}],"b":{"c":[]}}',
      ' [ 0.5 , -0 , 1E9 ] ',
    ];
    const alphabet = [
      '{',
      '}',
      '[',
      ']',
      ':',
      ',',
      '"',
      '\\',
      '\\u',
      '0',
      '01',
      '-',
      '.',
      'e',
      '+',
      'true',
      'nul',
      ' ',
      '\n',
      '\t',
      '\u0000',
      '\u2028',
      'x',
      'é',
    ];
    const disagree: string[] = [];
    let valid = 0;
    for (let k = 0; k < 20_000; k++) {
      const s = damaged(rng, base, alphabet);
      if (!agrees(s)) disagree.push(s);
      else if (jsonSyntaxError(s) === null) valid++;
      const err = jsonSyntaxError(s);
      if (err && !(err.at >= 0 && err.at <= s.length)) disagree.push(`at ${err.at}: ${s}`);
    }
    expect(disagree.slice(0, 5)).toEqual([]);
    expect(valid).toBeGreaterThan(1000); // both verdicts are exercised
  });

  it("with NaN and the infinities (Python's dialect), agrees with Python's json.loads on 4,000 seeded texts", () => {
    const rng = new Rng(11);
    const base = ['[{"a": NaN, "b": [Infinity, -Infinity, 1.5]}, {"a": -0.5}]', '{"x": Infinity}', ' [ NaN ] '];
    const alphabet = [
      'NaN',
      'Infinity',
      '-Infinity',
      'Inf',
      'N',
      'a',
      '-',
      ',',
      ':',
      '"',
      '[',
      ']',
      '{',
      '}',
      ' ',
      '1',
      'e',
    ];
    const texts: string[] = [];
    for (let k = 0; k < 4000; k++) {
      texts.push(damaged(rng, base, alphabet));
    }
    const script = [
      'import json, sys',
      'out = []',
      'for t in json.load(sys.stdin):',
      '  try:',
      '    json.loads(t); out.append(True)',
      '  except ValueError:',
      '    out.append(False)',
      'print(json.dumps(out))',
    ].join('\n');
    const r = spawnSync('python3', ['-c', script], { input: JSON.stringify(texts), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const python = JSON.parse(r.stdout) as boolean[];
    const disagree = texts.filter(
      (t, i) => (jsonSyntaxError(t, 0, t.length, { nonFinite: true }) === null) !== python[i],
    );
    expect(disagree.slice(0, 5)).toEqual([]);
    expect(python.filter(Boolean).length).toBeGreaterThan(150); // both verdicts are exercised
    // Plain JSON still refuses the words.
    expect(jsonSyntaxError('[NaN]')).not.toBeNull();
  });

  it("says what is wrong, where, in the file's terms", () => {
    expect(jsonSyntaxError('[1,2,]')).toEqual({
      at: 5,
      what: "']' right after ',' (a comma before ']' is not allowed)",
    });
    expect(jsonSyntaxError('{"a":1,}')).toEqual({
      at: 7,
      what: "'}' where a key in double quotes should be (a comma before '}' is not allowed)",
    });
    expect(jsonSyntaxError('{"a" 1}')).toEqual({ at: 5, what: "'1' after a key, where ':' should be" });
    expect(jsonSyntaxError('[01]')).toEqual({
      at: 1,
      what: 'a malformed number: a leading zero (JSON numbers have none)',
    });
    expect(jsonSyntaxError('["a\u0000"]')).toEqual({
      at: 3,
      what: 'a control character (U+0000) inside a string; it must be written as an escape such as \\n',
    });
    expect(jsonSyntaxError('["abc')).toEqual({ at: 1, what: 'a string opened here is never closed (missing ")' });
    expect(jsonSyntaxError('{"a":1} x')).toEqual({ at: 8, what: "more text ('x') after the end of the JSON value" });
    expect(jsonSyntaxError('[NaN]')).toEqual({
      at: 1,
      what:
        "'N' where a value should be (a string in double quotes, a number, true, false, null, an object " +
        'or an array)',
    });
  });

  it('finds the error of a text nested a million levels deep without recursion', () => {
    const n = 1_000_000;
    expect(jsonSyntaxError('['.repeat(n) + ']'.repeat(n))).toBeNull();
    expect(jsonSyntaxError('['.repeat(n) + ']'.repeat(n - 1))).toEqual({
      at: 2 * n - 1,
      what: "the text ends inside an array, where ',' or ']' should follow (is the file cut short?)",
    });
  });
});
