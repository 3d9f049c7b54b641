/**
 * Row filters (a run's `data.where`, the CLI's `--where`): conditions on columns combined with
 * `and`, `or`, `not` and parentheses, such as
 *
 *   delay > 30 and distance between 200 and 800
 *   species in ('Adelie', 'Gentoo') or not (island = 'Dream')
 *   date >= '2005-06-01' and "Flipper Length (mm)" is not null
 *
 * Columns are bare names (letters, digits, `_`, `.`) or double-quoted; strings single-quoted (a
 * quote doubled inside); numbers as JavaScript writes them; `true` / `false` for boolean
 * columns; dates and timestamps as strings the readers read as dates (`'2005-06-01'`,
 * `'2005-06-01 10:30'` in UTC, `'Jun 1 2005'`; see `infer.ts`). A condition on a missing value is false (as in
 * SQL; `is null` finds them). Numeric ranges go through the range index when few rows match
 * (range-index.ts `rowsInRange`), a scan otherwise; both give the same rows. A filter that does
 * not parse, or names a column the table lacks, or compares a column with a value of the wrong
 * kind, is a FilterError saying where.
 */
import { rowsInRange, RangeIndex } from '../index/range-index';
import { classifiedValue, classifyJsonString, Kind } from './infer';
import { nearName, nearText, someNames } from './names';
import { DataError, type CategoricalColumn, type Column, type DataTable, type NumericColumn } from './table';

/** A filter that cannot be read or applied (a DataError: the CLI's exit code 1, the UI's message). */
export class FilterError extends DataError {}

/**
 * A number as written in the filter: its value, and its text, which is what a categorical
 * column is matched against (`id = 9007199254740993` must not match the ID ...992, the double
 * the literal rounds to; IDs past 2^53 - 1 are read as text, exactly).
 */
export interface NumberLiteral {
  readonly n: number;
  readonly text: string;
}
export type FilterValue = NumberLiteral | string | boolean;
export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type FilterExpr =
  | { kind: 'compare'; column: string; op: CompareOp; value: FilterValue }
  | { kind: 'between'; column: string; lo: FilterValue; hi: FilterValue }
  | { kind: 'in'; column: string; values: FilterValue[] }
  | { kind: 'null'; column: string }
  | { kind: 'not'; part: FilterExpr }
  | { kind: 'and' | 'or'; parts: FilterExpr[] };

/** The columns a filter reads (each once, in order of first mention). */
export function filterColumns(expr: FilterExpr): string[] {
  const out = new Set<string>();
  const walk = (e: FilterExpr): void => {
    if (e.kind === 'not') walk(e.part);
    else if (e.kind === 'and' || e.kind === 'or') e.parts.forEach(walk);
    else if (e.kind === 'compare' || e.kind === 'between' || e.kind === 'in' || e.kind === 'null') out.add(e.column);
  };
  walk(expr);
  return [...out];
}

/** The longest filter text taken. */
export const MAX_WHERE_CHARS = 4096;
/** Nesting of parentheses and `not` at most (a deeper filter is hostile). */
const MAX_DEPTH = 64;

type Token =
  | { t: 'word'; v: string; at: number }
  | { t: 'name'; v: string; at: number }
  | { t: 'string'; v: string; at: number }
  | { t: 'number'; v: NumberLiteral; at: number }
  | { t: 'op'; v: string; at: number }
  | { t: 'end'; at: number };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const fail = (at: number, what: string): never => {
    throw new FilterError(`the filter, at character ${at + 1}: ${what}`);
  };
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if (c === "'" || c === '"') {
      let v = '';
      i++;
      for (;;) {
        if (i >= text.length) fail(at, `a ${c === "'" ? 'string' : 'quoted column name'} is not closed`);
        if (text[i] === c) {
          if (text[i + 1] === c) {
            v += c;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += text[i++];
      }
      out.push(c === "'" ? { t: 'string', v, at } : { t: 'name', v, at });
      continue;
    }
    const num = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?/i.exec(text.slice(i));
    if (
      num &&
      (c !== '+' && c !== '-'
        ? true
        : out.length === 0 || out[out.length - 1].t === 'op' || isWord(out[out.length - 1]))
    ) {
      const v = Number(num[0]);
      if (!Number.isFinite(v)) fail(at, `${num[0]} is not a finite number`);
      out.push({ t: 'number', v: { n: v, text: num[0].replace(/^\+/, '') }, at });
      i += num[0].length;
      continue;
    }
    const op = /^(<=|>=|!=|<>|==|=|<|>|\(|\)|,)/.exec(text.slice(i));
    if (op) {
      out.push({ t: 'op', v: op[0] === '<>' ? '!=' : op[0] === '==' ? '=' : op[0], at });
      i += op[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i));
    if (word) {
      out.push({ t: 'word', v: word[0], at });
      i += word[0].length;
      continue;
    }
    fail(at, `unexpected ${JSON.stringify(c)}`);
  }
  out.push({ t: 'end', at: text.length });
  return out;
}

/** Keywords (after a value or `(`, a sign starts a number). */
const isWord = (t: Token) => t.t === 'word' && ['and', 'or', 'not', 'between', 'in'].includes(t.v.toLowerCase());

/** Parses a filter; throws a FilterError naming the character where it goes wrong. */
export function parseWhere(text: string): FilterExpr {
  if (typeof text !== 'string' || text.trim() === '') throw new FilterError('the filter is empty');
  if (text.length > MAX_WHERE_CHARS)
    throw new FilterError(`the filter is ${text.length} characters long, more than ${MAX_WHERE_CHARS}`);
  const tokens = tokenize(text);
  let p = 0;
  const peek = () => tokens[p];
  const kw = (t: Token, w: string) => t.t === 'word' && t.v.toLowerCase() === w;
  const fail = (t: Token, what: string): never => {
    throw new FilterError(
      t.t === 'end' ? `the filter ends early: ${what}` : `the filter, at character ${t.at + 1}: ${what}`,
    );
  };
  const expectOp = (v: string) => {
    const t = tokens[p];
    if (t.t !== 'op' || t.v !== v) fail(t, `expected "${v}"`);
    p++;
  };
  const value = (): FilterValue => {
    const t = tokens[p++];
    if (t.t === 'number' || t.t === 'string') return t.v;
    if (kw(t, 'true')) return true;
    if (kw(t, 'false')) return false;
    return fail(t, "expected a value (a number, a 'string', true or false)");
  };
  const column = (): string => {
    const t = tokens[p++];
    if (t.t === 'name') return t.v;
    if (t.t === 'word' && !isWord(t)) return t.v;
    return fail(t, 'expected a column name (quote a name with spaces: "Body Mass (g)")');
  };
  const condition = (): FilterExpr => {
    const name = column();
    const t = peek();
    if (kw(t, 'between')) {
      p++;
      const lo = value();
      if (!kw(peek(), 'and')) fail(peek(), 'expected "and" after the lower bound of "between"');
      p++;
      return { kind: 'between', column: name, lo, hi: value() };
    }
    if (kw(t, 'in') || (kw(t, 'not') && kw(tokens[p + 1], 'in'))) {
      const negated = kw(t, 'not');
      p += negated ? 2 : 1;
      expectOp('(');
      const values = [value()];
      while (peek().t === 'op' && (peek() as { v: string }).v === ',') {
        p++;
        values.push(value());
      }
      expectOp(')');
      const e: FilterExpr = { kind: 'in', column: name, values };
      return negated ? { kind: 'not', part: e } : e;
    }
    if (kw(t, 'is')) {
      p++;
      const negated = kw(peek(), 'not');
      if (negated) p++;
      if (!kw(peek(), 'null')) fail(peek(), 'expected "null" after "is"');
      p++;
      const e: FilterExpr = { kind: 'null', column: name };
      return negated ? { kind: 'not', part: e } : e;
    }
    if (t.t === 'op' && ['=', '!=', '<', '<=', '>', '>='].includes(t.v)) {
      p++;
      return { kind: 'compare', column: name, op: t.v as CompareOp, value: value() };
    }
    return fail(t, `expected a comparison after column "${name}" (=, !=, <, <=, >, >=, between, in, is null)`);
  };
  const primary = (depth: number): FilterExpr => {
    if (depth > MAX_DEPTH) fail(peek(), `nests more than ${MAX_DEPTH} levels deep`);
    const t = peek();
    if (kw(t, 'not')) {
      p++;
      return { kind: 'not', part: primary(depth + 1) };
    }
    if (t.t === 'op' && t.v === '(') {
      p++;
      const e = or(depth + 1);
      expectOp(')');
      return e;
    }
    return condition();
  };
  const and = (depth: number): FilterExpr => {
    const parts = [primary(depth)];
    while (kw(peek(), 'and')) {
      p++;
      parts.push(primary(depth));
    }
    return parts.length === 1 ? parts[0] : { kind: 'and', parts };
  };
  const or = (depth: number): FilterExpr => {
    const parts = [and(depth)];
    while (kw(peek(), 'or')) {
      p++;
      parts.push(and(depth));
    }
    return parts.length === 1 ? parts[0] : { kind: 'or', parts };
  };
  const e = or(0);
  if (peek().t !== 'end') fail(peek(), 'expected "and", "or" or the end of the filter');
  return e;
}

/** What a filter gives: the rows kept (ascending) and, per numeric range, whether the index or a scan found it. */
export interface FilterResult {
  rows: Int32Array;
  plan: { column: string; path: 'index' | 'scan' }[];
  /**
   * Values the filter compares a categorical column with that it never holds, as a sentence each
   * (`'biscoe' is no value of "Island" (did you mean 'Biscoe'?)`): a typo keeps fewer rows, not
   * an error, so the CLI and the Filter box say it beside the count.
   */
  notes: string[];
  /**
   * The same, one entry per value and column (a value named twice in one column is one entry):
   * a streamed run checks each piece and says only what no piece held.
   */
  unmatched: { column: string; value: string; note: string }[];
}

/** Indexes of numeric columns, built on first use (the data worker keeps one per loaded table). */
export type IndexOf = (col: NumericColumn) => RangeIndex | null;

/** A range index over a numeric column's present values (missing rows left out). */
export function columnIndex(col: NumericColumn): RangeIndex {
  const values = col.values instanceof Uint8Array ? Float64Array.from(col.values) : col.values;
  if (!col.valid) return RangeIndex.build(values);
  const rows: number[] = [];
  for (let i = 0; i < col.valid.length; i++) if (col.valid[i]) rows.push(i);
  return RangeIndex.build(values, Int32Array.from(rows));
}

const show = (v: FilterValue) => (typeof v === 'string' ? `'${v}'` : typeof v === 'boolean' ? String(v) : v.text);

/**
 * The texts a value may match in a categorical column, in order of preference: a string
 * itself, a boolean its word, a number its digits as written and then its shortest form (`1.50`
 * finds `1.5` where the column has no `1.50`; `02134` finds `02134` where it has both), but an
 * integer beyond 2^53 - 1 only as written, since its double stands for a neighbour too.
 */
function textsOf(v: FilterValue): string[] {
  if (typeof v === 'string') return [v];
  if (typeof v === 'boolean') return [String(v)];
  const exact = !Number.isInteger(v.n) || Number.isSafeInteger(v.n);
  return exact && String(v.n) !== v.text ? [v.text, String(v.n)] : [v.text];
}

/** The number a value stands for in a numeric column (dates: days; timestamps: ms; booleans 0/1). */
function numberFor(col: NumericColumn, v: FilterValue): number {
  if (typeof v === 'boolean') {
    if (col.type !== 'bool')
      throw new FilterError(`the filter: column "${col.name}" is not true/false, it is ${col.type}`);
    return v ? 1 : 0;
  }
  if (typeof v === 'object') return v.n;
  if (col.type === 'date' || col.type === 'timestamp') {
    // Read by the readers' own rules (UTC unless an offset is given), not Date.parse, whose
    // reading of '2005-06-01 10:30' or 'Jun 1 2005' follows the machine's time zone.
    const kind = classifyJsonString(v.trim());
    if (kind !== Kind.date && kind !== Kind.timestamp)
      throw new FilterError(
        `the filter: column "${col.name}" holds dates; ${show(v)} is not a date (write it as the data ` +
          "files' dates are read: '2005-06-01', '2005-06-01 10:30', '2005-06-01T10:30:00Z' or 'Jun 1 2005')",
      );
    const ms = classifiedValue();
    return col.type === 'date' ? ms / 86_400_000 : ms;
  }
  throw new FilterError(`the filter: column "${col.name}" holds numbers; ${show(v)} is not one`);
}

/**
 * The rows of `table` the filter keeps, ascending. `indexOf` supplies range indexes for numeric
 * columns (default: none, every condition a scan).
 */
export function filterRows(
  table: DataTable,
  where: string | FilterExpr,
  indexOf: IndexOf = () => null,
  { listValues = true }: { listValues?: boolean } = {},
): FilterResult {
  const expr = typeof where === 'string' ? parseWhere(where) : where;
  const n = table.rows;
  const plan: FilterResult['plan'] = [];
  const columnOf = (name: string): Column => {
    const col = table.columns.find((c) => c.name === name);
    if (!col) {
      const names = table.columns.map((c) => c.name);
      throw new FilterError(
        `the filter names column "${name}", which ${table.name} does not have (${nearText(name, names)}it has ${someNames(names)})`,
      );
    }
    return col;
  };
  const present = (col: Column): Uint8Array => {
    const m = new Uint8Array(n);
    if (col.kind === 'categorical') for (let i = 0; i < n; i++) m[i] = col.codes[i] >= 0 ? 1 : 0;
    else if (col.valid) m.set(col.valid.subarray(0, n).map((v) => (v ? 1 : 0)));
    else m.fill(1);
    return m;
  };
  const range = (col: NumericColumn, lo: number, hi: number, loOpen: boolean, hiOpen: boolean): Uint8Array => {
    const m = new Uint8Array(n);
    if (Number.isNaN(lo) || Number.isNaN(hi)) return m;
    const values = col.values instanceof Uint8Array ? Float64Array.from(col.values) : col.values;
    const { rows, path } = rowsInRange(values, indexOf(col), lo, hi, loOpen, hiOpen);
    plan.push({ column: col.name, path });
    for (let k = 0; k < rows.length; k++) m[rows[k]] = 1;
    // A scan sees every row; a missing value matches nothing.
    if (path === 'scan' && col.valid) for (let i = 0; i < n; i++) if (!col.valid[i]) m[i] = 0;
    return m;
  };
  const unmatched = new Map<string, FilterResult['unmatched'][number]>();
  const codesOf = (col: CategoricalColumn, values: FilterValue[]): Uint8Array => {
    const held = new Set(col.dictionary);
    const wanted = new Set<string>();
    const missing = new Set<string>();
    for (const v of values) {
      // The text as written when the column holds it, else the number's shortest form.
      const texts = textsOf(v);
      const found = texts.find((t) => held.has(t));
      if (found === undefined) missing.add(texts[0]);
      else wanted.add(found);
    }
    for (const value of missing)
      unmatched.set(JSON.stringify([col.name, value]), {
        column: col.name,
        value,
        note: noValueNote(col, value, listValues),
      });
    return Uint8Array.from(col.dictionary, (d) => (wanted.has(d) ? 1 : 0));
  };
  const ofCodes = (col: CategoricalColumn, hit: Uint8Array): Uint8Array => {
    const m = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const c = col.codes[i];
      m[i] = c >= 0 && hit[c] ? 1 : 0;
    }
    return m;
  };
  const not = (m: Uint8Array) => m.map((v) => 1 - v);
  const evaluate = (e: FilterExpr): Uint8Array => {
    switch (e.kind) {
      case 'and':
      case 'or': {
        const out = evaluate(e.parts[0]);
        for (const part of e.parts.slice(1)) {
          const m = evaluate(part);
          for (let i = 0; i < n; i++) out[i] = e.kind === 'and' ? out[i] & m[i] : out[i] | m[i];
        }
        return out;
      }
      case 'not':
        return not(evaluate(e.part));
      case 'null':
        return not(present(columnOf(e.column)));
      case 'in': {
        const col = columnOf(e.column);
        if (col.kind === 'categorical') return ofCodes(col, codesOf(col, e.values));
        const out = new Uint8Array(n);
        for (const v of e.values) {
          const x = numberFor(col, v);
          const m = range(col, x, x, false, false);
          for (let i = 0; i < n; i++) out[i] |= m[i];
        }
        return out;
      }
      case 'between': {
        const col = columnOf(e.column);
        if (col.kind === 'categorical')
          throw new FilterError(`the filter: column "${col.name}" holds categories: use = or in, not between`);
        return range(col, numberFor(col, e.lo), numberFor(col, e.hi), false, false);
      }
      case 'compare': {
        const col = columnOf(e.column);
        if (col.kind === 'categorical') {
          if (e.op !== '=' && e.op !== '!=')
            throw new FilterError(
              `the filter: column "${col.name}" holds categories: compare it with = or !=, not ${e.op}`,
            );
          const m = ofCodes(col, codesOf(col, [e.value]));
          return e.op === '=' ? m : m.map((v, i) => (col.codes[i] >= 0 ? 1 - v : 0));
        }
        const x = numberFor(col, e.value);
        switch (e.op) {
          case '=':
            return range(col, x, x, false, false);
          case '!=': {
            const m = range(col, x, x, false, false);
            const has = present(col);
            return m.map((v, i) => (has[i] ? 1 - v : 0));
          }
          case '<':
            return range(col, -Infinity, x, false, true);
          case '<=':
            return range(col, -Infinity, x, false, false);
          case '>':
            return range(col, x, Infinity, true, false);
          case '>=':
            return range(col, x, Infinity, false, false);
        }
      }
    }
  };
  const mask = evaluate(expr);
  let count = 0;
  for (let i = 0; i < n; i++) count += mask[i];
  const rows = new Int32Array(count);
  for (let i = 0, k = 0; i < n; i++) if (mask[i]) rows[k++] = i;
  const notes = [...unmatched.values()].map((u) => u.note);
  return { rows, plan, notes, unmatched: [...unmatched.values()] };
}

/** Dictionaries up to this size are searched for a value close to one a filter names. */
const SUGGEST_MAX = 10_000;

/** A column of at most this many values has them listed when a filter names none of them. */
const LIST_MAX = 8;

/**
 * `'v' is no value of "col"`, with the value it was likely meant to be (`nearName`), else, for a
 * column of a few values and `list`, those values (`'sunny' is no value of "weather" (its values:
 * 'drizzle', 'rain', 'sun', 'snow', 'fog')`). A piece of a streamed file holds only some of its
 * values, so streaming does not list them.
 */
function noValueNote(col: CategoricalColumn, v: string, list: boolean): string {
  const quote = (s: string) => `'${s.length > 40 ? `${s.slice(0, 37)}...` : s}'`;
  const near = col.dictionary.length <= SUGGEST_MAX ? nearName(v, col.dictionary) : undefined;
  const head = `${quote(v)} is no value of "${col.name}"`;
  if (near !== undefined) return `${head} (did you mean ${quote(near)}?)`;
  if (list && col.dictionary.length > 0 && col.dictionary.length <= LIST_MAX)
    return `${head} (its values: ${col.dictionary.map(quote).join(', ')})`;
  return head;
}

/** The table restricted to `rows` (ascending source rows): each column gathered, dictionaries kept. */
export function tableRows(table: DataTable, rows: Int32Array, name = table.name): DataTable {
  const columns = table.columns.map((col): Column => {
    if (col.kind === 'categorical') return { ...col, codes: Int32Array.from(rows, (r) => col.codes[r]) };
    const src = col.values;
    const Values = src.constructor as new (n: number) => typeof src;
    const values = new Values(rows.length);
    for (let k = 0; k < rows.length; k++) values[k] = src[rows[k]];
    const valid = col.valid;
    return { ...col, values, valid: valid ? Uint8Array.from(rows, (r) => valid[r]) : null };
  });
  return { ...table, name, rows: rows.length, columns };
}
