import { describe, expect, it } from 'vitest';
import { visibleRange } from './windowing.js';

const base = { count: 1000, rowHeight: 20, scrollTop: 0, viewportHeight: 200, overscan: 5 };

describe('visibleRange', () => {
  it('renders the first screen plus overscan below at the top', () => {
    // 200 px shows 10 rows; one more for a partly visible row, five of overscan.
    expect(visibleRange(base)).toEqual({ start: 0, end: 16, padTop: 0, padBottom: (1000 - 16) * 20 });
  });

  it('moves the window with the scroll offset and keeps overscan on both sides', () => {
    const r = visibleRange({ ...base, scrollTop: 5000 });
    expect(r).toEqual({ start: 245, end: 266, padTop: 245 * 20, padBottom: (1000 - 266) * 20 });
  });

  it('counts a partly scrolled row as visible', () => {
    const r = visibleRange({ ...base, scrollTop: 5010, overscan: 0 });
    expect([r.start, r.end]).toEqual([250, 261]);
  });

  it('keeps the total height of the list whatever the offset', () => {
    for (const scrollTop of [0, 7, 999, 5000, 19_800, 25_000]) {
      const r = visibleRange({ ...base, scrollTop });
      expect(r.padTop + (r.end - r.start) * 20 + r.padBottom, String(scrollTop)).toBe(1000 * 20);
    }
  });

  it('clamps offsets past either end (overscroll, or a list that just shrank)', () => {
    expect(visibleRange({ ...base, scrollTop: -50 })).toEqual(visibleRange(base));
    const bottom = visibleRange({ ...base, scrollTop: 1_000_000 });
    expect(bottom.end).toBe(1000);
    expect(bottom.padBottom).toBe(0);
    expect(bottom.start).toBe(1000 - 10 - 5);
  });

  it('renders every row of a list shorter than the viewport, and nothing of an empty one', () => {
    expect(visibleRange({ ...base, count: 3 })).toEqual({ start: 0, end: 3, padTop: 0, padBottom: 0 });
    expect(visibleRange({ ...base, count: 0 })).toEqual({ start: 0, end: 0, padTop: 0, padBottom: 0 });
  });

  it('survives a container that has no height yet and a zero row height', () => {
    const r = visibleRange({ ...base, viewportHeight: 0 });
    expect(r.start).toBe(0);
    expect(r.end).toBe(6);
    const z = visibleRange({ ...base, rowHeight: 0 });
    expect(z.end).toBeGreaterThan(z.start);
  });
});
