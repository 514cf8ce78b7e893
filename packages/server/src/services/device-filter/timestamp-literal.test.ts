import { describe, expect, it } from 'vitest';
import { normalizeTimestamp } from './timestamp-literal.js';

describe('normalizeTimestamp', () => {
  it('keeps a date and turns a date-time into UTC with milliseconds', () => {
    expect(normalizeTimestamp('2024-05-01')).toBe('2024-05-01');
    expect(normalizeTimestamp('2024-05-01T12:00:00Z')).toBe('2024-05-01T12:00:00.000Z');
    expect(normalizeTimestamp('2024-05-01T12:00')).toBe('2024-05-01T12:00:00.000Z');
    expect(normalizeTimestamp('2024-05-01 12:00:30.5+02:00')).toBe('2024-05-01T10:00:30.500Z');
    expect(normalizeTimestamp('2024-02-29T23:59:59.999-01:00')).toBe('2024-03-01T00:59:59.999Z');
  });

  it('rejects what is not a real ISO-8601 timestamp', () => {
    for (const bad of [
      'yesterday',
      '2024-5-1',
      '2023-02-29',
      '2024-13-01',
      '2024-05-01T24:00',
      '2024-05-01T12:60',
      '2024-05-01T',
      '',
    ]) {
      expect(normalizeTimestamp(bad)).toBeUndefined();
    }
  });
});
