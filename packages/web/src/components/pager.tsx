/** Cursor pagination controls: the server hands out next cursors; the pager remembers the way back. */
import { useCallback, useState } from 'react';

/** Page state for a cursor-paginated list: the cursor to load now, and next/previous moves. */
export function useCursorPages() {
  const [stack, setStack] = useState<string[]>([]);
  const cursor = stack.at(-1);
  const next = useCallback((c: string) => setStack((s) => [...s, c]), []);
  const prev = useCallback(() => setStack((s) => s.slice(0, -1)), []);
  const reset = useCallback(() => setStack([]), []);
  return { cursor, page: stack.length + 1, next, prev, reset };
}

/** Previous / next buttons for a list. */
export function Pager({
  page,
  nextCursor,
  onNext,
  onPrev,
}: {
  page: number;
  nextCursor: string | null | undefined;
  onNext(cursor: string): void;
  onPrev(): void;
}) {
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" onClick={onPrev} disabled={page <= 1}>
        ← Previous
      </button>
      <span>Page {page}</span>
      <button type="button" onClick={() => nextCursor && onNext(nextCursor)} disabled={!nextCursor}>
        Next →
      </button>
    </nav>
  );
}
