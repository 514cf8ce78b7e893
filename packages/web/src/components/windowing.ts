/**
 * Windowing maths for long lists: which rows of a fixed-height list are in (or near) the visible
 * part of a scroll container, and how much space the rows left out above and below take, so only
 * those rows are rendered and the scrollbar still stands for the whole list.
 */

/** Where the container is scrolled and how the list is laid out. */
export interface WindowInput {
  /** How many rows the list has. */
  count: number;
  /** Height of one row in pixels (every row has this height). */
  rowHeight: number;
  /** The container's scroll offset in pixels, from the top of the first row. */
  scrollTop: number;
  /** The container's visible height in pixels. */
  viewportHeight: number;
  /** Extra rows rendered on each side, so a quick scroll does not show blank space. */
  overscan: number;
}

/** The rows to render: indexes `start` (inclusive) to `end` (exclusive), and the space around them. */
export interface WindowRange {
  start: number;
  end: number;
  /** Pixels of rows before `start`. */
  padTop: number;
  /** Pixels of rows from `end` to the last row. */
  padBottom: number;
}

/** The rows of a fixed-height list that a container scrolled to `scrollTop` shows, plus overscan. */
export function visibleRange(input: WindowInput): WindowRange {
  const count = Math.max(0, Math.floor(input.count));
  const rowHeight = input.rowHeight > 0 ? input.rowHeight : 1;
  const overscan = Math.max(0, Math.floor(input.overscan));
  const maxScroll = Math.max(0, count * rowHeight - Math.max(0, input.viewportHeight));
  // Browsers report a negative offset while bouncing and can overshoot after the list shrank.
  const scrollTop = Math.min(Math.max(0, input.scrollTop), maxScroll);
  const first = Math.floor(scrollTop / rowHeight);
  const visible = Math.ceil(Math.max(0, input.viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return {
    start,
    end: Math.max(start, end),
    padTop: start * rowHeight,
    padBottom: (count - Math.max(start, end)) * rowHeight,
  };
}
