/** A timestamp shown as "3 min ago" with the exact time in the tooltip and the datetime attribute. */
export function Time({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span className="muted">never</span>;
  return (
    <time dateTime={iso} title={new Date(iso).toLocaleString()}>
      {relative(iso)}
    </time>
  );
}

/** Human distance from now: "just now", "5 s ago", "3 min ago", "2 h ago", "4 d ago", or "in 5 min". */
export function relative(iso: string, now = Date.now()): string {
  const diff = now - Date.parse(iso);
  const future = diff < 0;
  const s = Math.abs(diff) / 1000;
  const text =
    s < 5
      ? 'just now'
      : s < 60
        ? `${Math.round(s)} s`
        : s < 3600
          ? `${Math.round(s / 60)} min`
          : s < 86400
            ? `${Math.round(s / 3600)} h`
            : `${Math.round(s / 86400)} d`;
  if (text === 'just now') return text;
  return future ? `in ${text}` : `${text} ago`;
}
