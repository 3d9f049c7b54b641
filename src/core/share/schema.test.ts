import { describe, expect, it } from 'vitest';
import { DecodeError, count, nullable, oneOf, optional, record, text, type Fields } from './schema';

interface Block {
  filters: number;
  stride: 1 | 2;
  note?: string | null;
}

const BLOCK: Fields<Block> = {
  filters: (v, p) => count(v, p, undefined, 1),
  stride: (v, p) => oneOf(v, p, [1, 2] as const),
  note: optional((v, p) => nullable(v, p, (t, q) => text(t, q, { max: 8 }))),
};

// The compiler holds each schema to its type: a missing reader (an optional field's included),
// a reader for a field the type lacks, or a reader of the wrong type fails `tsc --noEmit`.
// @ts-expect-error: no reader for `note`
export const missingOptional: Fields<Block> = { filters: BLOCK.filters, stride: BLOCK.stride };
// @ts-expect-error: `width` is not a field of Block
export const extra: Fields<Block> = { ...BLOCK, width: BLOCK.filters };
// @ts-expect-error: `stride` must read a 1 or a 2, not any number
export const wide: Fields<Block> = { ...BLOCK, stride: BLOCK.filters };

describe('record', () => {
  it('builds a fresh object field by field, leaving out what a reader returns as undefined', () => {
    const input = { filters: 8, stride: 2 };
    const got = record(input, 'block', BLOCK);
    expect(got).toEqual({ filters: 8, stride: 2 });
    expect(got).not.toBe(input);
    expect(Object.keys(got)).toEqual(['filters', 'stride']);
    expect(record({ filters: 8, stride: 1, note: null }, 'block', BLOCK)).toEqual({
      filters: 8,
      stride: 1,
      note: null,
    });
    // A key holding undefined (structured clone keeps those) is absent.
    expect(Object.keys(record({ filters: 8, stride: 1, note: undefined }, 'block', BLOCK))).toEqual([
      'filters',
      'stride',
    ]);
  });

  it("refuses with the field's path: unknown and forbidden keys, a missing or wrong field, a non-object", () => {
    const why = (v: unknown, base?: string) => {
      try {
        record(v, 'model.blocks[0]', BLOCK, base);
        return 'accepted';
      } catch (e) {
        expect(e).toBeInstanceOf(DecodeError);
        return (e as DecodeError).message;
      }
    };
    expect(why({ filters: 8, stride: 2, width: 3 })).toBe('model.blocks[0]: unknown field "width"');
    expect(why(JSON.parse('{"filters":8,"stride":2,"__proto__":{}}'))).toBe(
      'model.blocks[0]: the field "__proto__" is not allowed',
    );
    expect(why({ filters: 8 })).toBe('model.blocks[0].stride: must be one of 1, 2, got nothing (the field is missing)');
    expect(why({ filters: 0, stride: 2 })).toBe('model.blocks[0].filters: must be a whole number >= 1, got 0');
    expect(why({ filters: 8, stride: 2, note: 'x'.repeat(9) })).toBe(
      'model.blocks[0].note: is 9 characters long, more than 8',
    );
    expect(why([8, 2])).toBe('model.blocks[0]: must be an object, got a list');
    // An empty base names the fields alone (the root of a run).
    expect(why({ filters: 8, stride: 4 }, '')).toBe('stride: must be one of 1, 2, got 4');
  });
});
