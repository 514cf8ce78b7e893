/** A live query's progress: per-device status, the rows as they stream in, export links, summary. */
import { StatusBadge } from '../../components/status-badge.js';
import { type CampaignState, campaignColumns } from './campaign-state.js';

/** Most rows drawn in the page; the exports hold all of them. */
const MAX_SHOWN_ROWS = 1000;

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function DeviceStatusTable({ state }: { state: CampaignState }) {
  const devices = Object.values(state.devices);
  return (
    <table className="compact" aria-label="Per-device status">
      <thead>
        <tr>
          <th scope="col">Device</th>
          <th scope="col">Status</th>
          <th scope="col">Rows</th>
          <th scope="col">Notes</th>
        </tr>
      </thead>
      <tbody>
        {devices.map((d) => (
          <tr key={d.device_id}>
            <td>{d.hostname}</td>
            <td>
              <StatusBadge status={d.status} />
            </td>
            <td>{d.rows}</td>
            <td>{[d.error, d.truncated ? 'truncated' : '', ...d.warnings].filter(Boolean).join('; ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ResultRows({ state }: { state: CampaignState }) {
  const columns = campaignColumns(state);
  const rows: Array<{ key: string; hostname: string; values: unknown[] }> = [];
  for (const b of state.blocks) {
    const index = columns.map((c) => b.columns.indexOf(c));
    b.rows.forEach((r, i) => {
      if (rows.length < MAX_SHOWN_ROWS)
        rows.push({
          key: `${b.device_id}:${i}`,
          hostname: b.hostname,
          values: index.map((j) => (j < 0 ? null : r[j])),
        });
    });
  }
  const total = state.blocks.reduce((n, b) => n + b.rows.length, 0);
  return (
    <>
      <p aria-live="polite" data-testid="row-count">
        {total} row{total === 1 ? '' : 's'}
        {total > rows.length ? ` (showing the first ${rows.length}; export for all)` : ''}
      </p>
      {rows.length > 0 ? (
        <div className="scroll-x">
          <table className="compact results" aria-label="Query results">
            <thead>
              <tr>
                <th scope="col">hostname</th>
                {columns.map((c) => (
                  <th scope="col" key={c}>
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.key}>
                  <td>{r.hostname}</td>
                  {r.values.map((v, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: columns are positional.
                    <td key={i}>{cell(v)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}

export function CampaignView({ state }: { state: CampaignState }) {
  const { started, summary } = state;
  const base = `/api/v1/queries/live/${encodeURIComponent(started.id)}/results`;
  return (
    <div className="campaign" data-testid="campaign">
      <p>
        Query <code>{started.id}</code>: {started.targeted} targeted, {started.online} online,{' '}
        {started.offline} offline.{' '}
        {summary ? <strong data-testid="campaign-done">Finished.</strong> : <span>Waiting for answers…</span>}
      </p>
      {summary ? (
        <p className="muted">
          {summary.answered} answered, {summary.errors} errors, {summary.offline} offline, {summary.timeout}{' '}
          timed out; latency p50 {summary.latency_p50_ms ?? '—'} ms, p99 {summary.latency_p99_ms ?? '—'} ms.
        </p>
      ) : null}
      <p>
        Export:{' '}
        <a href={`${base}?format=csv`} download>
          CSV
        </a>{' '}
        ·{' '}
        <a href={`${base}?format=json`} download>
          JSON
        </a>
      </p>
      <DeviceStatusTable state={state} />
      <ResultRows state={state} />
    </div>
  );
}
