/**
 * Says where and why text is not valid JSON, in the file's terms (V8's JSON.parse messages,
 * such as `Unexpected token '}', ... is not valid JSON`, name no line and vary by version).
 * Run only after JSON.parse has refused the text: one pass, no recursion (nesting is tracked on
 * an explicit stack), so it finds the first error of any input, however deep.
 */

/** The first syntax error of a JSON text: its offset in the text and what is wrong there. */
export interface JsonSyntaxError {
  at: number;
  what: string;
}

const WS = new Uint8Array(128);
for (const c of ' \t\n\r') WS[c.charCodeAt(0)] = 1;
const ESCAPES = '"\\/bfnrtu';

/** A character as a reader would name it: `'x'` when printable ASCII, else its code point. */
export function showChar(text: string, at: number): string {
  const cp = text.codePointAt(at)!;
  if (cp > 32 && cp < 127) return `'${String.fromCharCode(cp)}'`;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}${cp === 0xfeff ? ' (a byte order mark)' : ''}`;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isHex = (c: number) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/**
 * The first syntax error in `text[start, end)` read as one JSON value, or null when it is valid JSON.
 * With `nonFinite`, the words `NaN`, `Infinity` and `-Infinity` are values too, as Python's json
 * module writes and reads them (the dialect the dataset reader takes: json.ts, quoteNonFinite).
 */
export function jsonSyntaxError(
  text: string,
  start = 0,
  end = text.length,
  dialect: { nonFinite?: boolean } = {},
): JsonSyntaxError | null {
  const words = dialect.nonFinite ? ['NaN', 'Infinity', '-Infinity'] : [];
  // Containers open at this point: true for an object, false for an array.
  const inObject: boolean[] = [];
  let i = start;
  const skip = () => {
    while (i < end && text.charCodeAt(i) < 128 && WS[text.charCodeAt(i)] === 1) i++;
  };
  const fail = (at: number, what: string): JsonSyntaxError => ({ at, what });
  const ended = (what: string): JsonSyntaxError => fail(end, `the text ends ${what}`);

  /** Reads a string opening at `i`; returns an error, or null with `i` past its closing quote. */
  const string = (): JsonSyntaxError | null => {
    const open = i;
    i++;
    for (;;) {
      if (i >= end) return fail(open, 'a string opened here is never closed (missing ")');
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return null;
      }
      if (c < 32)
        return fail(
          i,
          `a control character (${showChar(text, i)}) inside a string; it must be written as an escape such as \\n`,
        );
      if (c === 92) {
        const e = text[i + 1];
        if (i + 1 >= end || !ESCAPES.includes(e))
          return fail(i, `a backslash escape \\${i + 1 < end ? e : ''} that JSON does not have`);
        if (e === 'u') {
          for (let k = 2; k < 6; k++)
            if (i + k >= end || !isHex(text.charCodeAt(i + k))) return fail(i, 'a \\u escape without four hex digits');
          i += 6;
        } else i += 2;
        continue;
      }
      i++;
    }
  };

  /** Reads a number starting at `i` ('-' or a digit). */
  const number = (): JsonSyntaxError | null => {
    const first = i;
    if (text.charCodeAt(i) === 45) i++;
    if (i >= end || !isDigit(text.charCodeAt(i)))
      return fail(first, 'a malformed number: no digit after the minus sign');
    if (text.charCodeAt(i) === 48) {
      i++;
      if (i < end && isDigit(text.charCodeAt(i)))
        return fail(first, 'a malformed number: a leading zero (JSON numbers have none)');
    } else while (i < end && isDigit(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) === 46 && i < end) {
      i++;
      if (i >= end || !isDigit(text.charCodeAt(i)))
        return fail(first, 'a malformed number: no digit after the decimal point');
      while (i < end && isDigit(text.charCodeAt(i))) i++;
    }
    const c = text.charCodeAt(i);
    if (i < end && (c === 101 || c === 69)) {
      i++;
      if (i < end && (text.charCodeAt(i) === 43 || text.charCodeAt(i) === 45)) i++;
      if (i >= end || !isDigit(text.charCodeAt(i))) return fail(first, 'a malformed number: no digit in its exponent');
      while (i < end && isDigit(text.charCodeAt(i))) i++;
    }
    return null;
  };

  // States: a value is expected; a key is expected (after '{' or ',' in an object); a value has just ended.
  let state: 'value' | 'key' | 'after' = 'value';
  skip();
  for (;;) {
    if (state === 'value') {
      if (i >= end)
        return ended(
          inObject.length
            ? 'in the middle of a record (a value is missing; is the file cut short?)'
            : 'before any value',
        );
      const c = text.charCodeAt(i);
      if (c === 123 || c === 91) {
        inObject.push(c === 123);
        i++;
        skip();
        if (i < end && text.charCodeAt(i) === (c === 123 ? 125 : 93)) {
          inObject.pop();
          i++;
          state = 'after';
        } else state = c === 123 ? 'key' : 'value';
        continue;
      }
      let err: JsonSyntaxError | null;
      // NaN and the infinities as Python's json.dumps writes them (json.ts, quoteNonFinite).
      const nonFinite = words.find((w) => text.startsWith(w, i) && i + w.length <= end);
      if (c === 34) err = string();
      else if (nonFinite) {
        i += nonFinite.length;
        err = null;
      } else if (c === 45 || isDigit(c)) err = number();
      else {
        const word = ['true', 'false', 'null'].find((w) => text.startsWith(w, i) && i + w.length <= end);
        if (!word)
          return fail(
            i,
            `${showChar(text, i)} where a value should be (a string in double quotes, a number, true, false, ` +
              `null, an object or an array)`,
          );
        i += word.length;
        err = null;
      }
      if (err) return err;
      state = 'after';
      continue;
    }
    if (state === 'key') {
      if (i >= end) return ended('inside an object, where a key should follow (is the file cut short?)');
      if (text.charCodeAt(i) !== 34)
        return fail(
          i,
          `${showChar(text, i)} where a key in double ` +
            `quotes should be${text.charCodeAt(i) === 125 ? " (a comma before '}' is not allowed)" : ''}`,
        );
      const err = string();
      if (err) return err;
      skip();
      if (i >= end) return ended("after a key, where ':' should follow (is the file cut short?)");
      if (text.charCodeAt(i) !== 58) return fail(i, `${showChar(text, i)} after a key, where ':' should be`);
      i++;
      skip();
      state = 'value';
      continue;
    }
    skip();
    const depth = inObject.length;
    if (depth === 0)
      return i < end ? fail(i, `more text (${showChar(text, i)}) after the end of the JSON value`) : null;
    const obj = inObject[depth - 1];
    const close = obj ? '}' : ']';
    if (i >= end)
      return ended(
        `inside ${obj ? 'an object' : 'an array'}, where ',' or '${close}' should follow (is the file cut short?)`,
      );
    const c = text.charCodeAt(i);
    if (c === 44) {
      i++;
      skip();
      state = obj ? 'key' : 'value';
      if (!obj && text.charCodeAt(i) === 93 && i < end)
        return fail(i, "']' right after ',' (a comma before ']' is not allowed)");
    } else if (c === close.charCodeAt(0)) {
      inObject.pop();
      i++;
    } else
      return fail(i, `${showChar(text, i)} ${obj ? 'in an object' : 'in an array'}, where ',' or '${close}' should be`);
  }
}
