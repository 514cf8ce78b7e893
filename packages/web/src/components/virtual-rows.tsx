/**
 * Render only the rows of a long table that its scroll container shows (plus some overscan); a
 * spacer row above and below stands for the rest, so the scrollbar still measures the whole list.
 * Rows must share one height: it is measured from a rendered row, so CSS decides it.
 */
import { useCallback, useLayoutEffect, useState } from 'react';
import { visibleRange, type WindowRange } from './windowing.js';

/** The first guess of a row's height before one was measured (a one-line row of the console). */
const GUESS_ROW_PX = 33;

/** What a virtualised table needs: the container to scroll, its scroll handler, and the rows to render. */
export interface VirtualRows {
  /** A callback ref for the scroll container (it may appear later, e.g. once the list is non-empty). */
  ref(el: HTMLDivElement | null): void;
  onScroll(): void;
  range: WindowRange;
}

/** Track a scroll container and work out which of `count` rows to render. */
export function useVirtualRows(count: number, overscan = 10): VirtualRows {
  const [el, setEl] = useState<HTMLDivElement | null>(null);
  const [view, setView] = useState({ scrollTop: 0, height: 0, rowHeight: GUESS_ROW_PX });
  const measure = useCallback(() => {
    if (!el) return;
    const row = el.querySelector<HTMLElement>('tbody tr:not(.spacer)');
    const head = el.querySelector<HTMLElement>('thead');
    // The sticky header covers the top of the box: rows show below it, and the first row starts
    // right under it, so the scroll offset is already the offset into the rows.
    const next = {
      scrollTop: el.scrollTop,
      height: Math.max(0, el.clientHeight - (head?.offsetHeight ?? 0)),
      rowHeight: row?.offsetHeight || GUESS_ROW_PX,
    };
    setView((v) =>
      v.scrollTop === next.scrollTop && v.height === next.height && v.rowHeight === next.rowHeight ? v : next,
    );
  }, [el]);
  useLayoutEffect(() => {
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [el, measure]);
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
  return { ref: setEl, onScroll: measure, range };
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
