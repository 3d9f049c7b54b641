import { describe, expect, it } from 'vitest';
import { statValue } from './format';

describe('schema statistics on screen', () => {
  it('dates and timestamps read as dates, against Date.UTC', () => {
    const day = Date.UTC(2001, 0, 2) / 86_400_000;
    expect(statValue('date', day)).toBe('2001-01-02');
    expect(statValue('date', 0)).toBe('1970-01-01');
    expect(statValue('timestamp', Date.UTC(1999, 11, 31, 23, 59, 58))).toBe('1999-12-31 23:59:58');
    expect(statValue('timestamp', Date.UTC(2020, 5, 1, 12, 0, 0, 250))).toBe('2020-06-01 12:00:00.250');
    // A mean of dates lands between days: it still reads as a date.
    expect(statValue('date', day + 0.4)).toBe('2001-01-02');
    expect(statValue('date', day + 0.5)).toBe('2001-01-02'); // noon of the 2nd is on the 2nd
    expect(statValue('date', day - 0.5)).toBe('2001-01-01');
  });

  it('other types keep the compact number, and missing values a dash', () => {
    expect(statValue('float', 15300)).toBe('15.3 k');
    expect(statValue('timestamp', null)).toBe('–');
    expect(statValue('date', NaN)).toBe('–');
  });
});
