/**
 * Render only the rows of a long table that its scroll container shows (plus some overscan); a
 * spacer row above and below stands for the rest, so the scrollbar still measures the whole list.
 * Rows must share one height: it is measured from a rendered row, so CSS decides it.
 */
import { type RefObject, useCallback, useLayoutEffect, useRef, useState } from 'react';
import { visibleRange, type WindowRange } from './windowing.js';

/** The first guess of a row's height before one was measured (a one-line row of the console). */
const GUESS_ROW_PX = 33;

/** What a virtualised table needs: the container to scroll, its scroll handler, and the rows to render. */
export interface VirtualRows {
  ref: RefObject<HTMLDivElement | null>;
  onScroll(): void;
  range: WindowRange;
}

/** Track a scroll container and work out which of `count` rows to render. */
export function useVirtualRows(count: number, overscan = 10): VirtualRows {
  const ref = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ scrollTop: 0, height: 0, rowHeight: GUESS_ROW_PX });
  const measure = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    const row = el.querySelector<HTMLElement>('tbody tr:not(.spacer)');
    const head = el.querySelector<HTMLElement>('thead');
    const next = {
      // Row offsets count from the first body row, below the (sticky) header.
      scrollTop: Math.max(0, el.scrollTop - (head?.offsetHeight ?? 0)),
      height: el.clientHeight,
      rowHeight: row?.offsetHeight || GUESS_ROW_PX,
    };
    setView((v) =>
      v.scrollTop === next.scrollTop && v.height === next.height && v.rowHeight === next.rowHeight ? v : next,
    );
  }, []);
  useLayoutEffect(() => {
    measure();
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [measure]);
  // After every render: a new list (another page, other filters) may have other row heights and
  // another length. Unchanged measurements leave the state as it is, so this does not loop.
  useLayoutEffect(measure);
  const range = visibleRange({
    count,
    rowHeight: view.rowHeight,
    scrollTop: view.scrollTop,
    // Before the first measurement, render a screenful rather than nothing.
    viewportHeight: view.height || 800,
    overscan,
  });
  return { ref, onScroll: measure, range };
}

/** An empty row of the given height standing for rows that are not rendered. */
export function SpacerRow({ height, columns }: { height: number; columns: number }) {
  if (height <= 0) return null;
  return (
    <tr className="spacer">
      <td colSpan={columns} aria-hidden="true" style={{ height }} />
    </tr>
  );
}
