/** The devices a device-filter rule matches right now (debounced, via POST /api/v1/groups/preview). */
import { useEffect, useState } from 'react';
import { type ApiError, api } from '../../api/client.js';
import type { DeviceT, Items } from '../../api/types.js';
import { Link } from '../../app/router.js';
import { ErrorNote } from '../../components/notice.js';
import { StatusBadge } from '../../components/status-badge.js';

const SHOWN = 20;

export function FilterPreview({ rule }: { rule: string }) {
  const [items, setItems] = useState<DeviceT[] | null>(null);
  const [error, setError] = useState<ApiError>();
  useEffect(() => {
    const text = rule.trim();
    if (!text) {
      setItems(null);
      setError(undefined);
      return;
    }
    let live = true;
    // Wait for a pause in typing so each keystroke does not cost a request.
    const timer = setTimeout(() => {
      api<Items<DeviceT>>('POST', '/api/v1/groups/preview', { rule: text }).then(
        (r) => {
          if (!live) return;
          setItems(r.items);
          setError(undefined);
        },
        (e: ApiError) => {
          if (!live) return;
          setItems(null);
          setError(e);
        },
      );
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [rule]);
  return (
    <div className="preview" aria-live="polite">
      <ErrorNote error={error} />
      {items ? (
        <>
          <p data-testid="preview-count">
            Matches {items.length} device{items.length === 1 ? '' : 's'} now
            {items.length > SHOWN ? ` (first ${SHOWN} shown)` : ''}.
          </p>
          <ul className="picks">
            {items.slice(0, SHOWN).map((d) => (
              <li key={d.id}>
                <Link to={`/devices/${d.id}`}>{d.hostname}</Link> <StatusBadge status={d.status} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
