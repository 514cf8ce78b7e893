/** Saved and scheduled queries: load one into the editor, run it now, delete it; save the current one. */
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.js';
import type { Items, LiveQueryStarted, SavedQuery, TargetsT } from '../../api/types.js';
import { useSession } from '../../app/session.js';
import { useAction } from '../../app/use-action.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';

function schedule(q: SavedQuery): string {
  if (q.cron) return `cron ${q.cron}`;
  if (q.interval_s) return `every ${q.interval_s} s (${q.mode})`;
  return 'not scheduled';
}

function SaveForm({ sql, targets, onSaved }: { sql: string; targets: TargetsT | null; onSaved: () => void }) {
  const [name, setName] = useState('');
  const [every, setEvery] = useState('');
  const save = useAction((body: Record<string, unknown>) => api<SavedQuery>('POST', '/api/v1/queries', body));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!targets) return;
    const r = await save.run({ name, sql, targets, ...(every ? { interval_s: Number(every) } : {}) });
    if (r) {
      setName('');
      onSaved();
    }
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Save the current query">
      <label>
        Name
        <input required maxLength={64} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Run every (seconds, empty: not scheduled)
        <input type="number" min={10} value={every} onChange={(e) => setEvery(e.target.value)} />
      </label>
      <button type="submit" disabled={save.pending || !targets || !sql.trim()}>
        Save query
      </button>
      <ErrorNote error={save.error} />
    </form>
  );
}

export function SavedQueries({
  sql,
  targets,
  onLoad,
  onStarted,
}: {
  sql: string;
  targets: TargetsT | null;
  onLoad: (q: SavedQuery) => void;
  onStarted: (s: LiveQueryStarted) => void;
}) {
  const { can } = useSession();
  const list = useApi<Items<SavedQuery>>('/api/v1/queries');
  const run = useAction((id: string) =>
    api<LiveQueryStarted>('POST', `/api/v1/queries/${encodeURIComponent(id)}/run`, {}),
  );
  const remove = useAction((id: string) => api('DELETE', `/api/v1/queries/${encodeURIComponent(id)}`));
  const items = list.data?.items ?? [];
  return (
    <Panel title="Saved and scheduled queries">
      <ErrorNote error={list.error ?? run.error ?? remove.error} />
      {list.data && items.length === 0 ? <p className="muted">No saved query yet.</p> : null}
      {items.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Schedule</th>
              <th scope="col">SQL</th>
              <th scope="col">
                <span className="sr-only">Use</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((q) => (
              <tr key={q.id}>
                <td>{q.name}</td>
                <td>
                  {schedule(q)}
                  {q.enabled ? '' : ' (disabled)'}
                </td>
                <td>
                  <code className="clip">{q.sql}</code>
                </td>
                <td className="row-buttons">
                  <button type="button" onClick={() => onLoad(q)}>
                    Load
                  </button>
                  {can('analyst') ? (
                    <>
                      <button
                        type="button"
                        onClick={async () => {
                          const s = await run.run(q.id);
                          if (s) onStarted(s);
                        }}
                      >
                        Run now
                      </button>
                      <button
                        type="button"
                        onClick={async () => {
                          if ((await remove.run(q.id)) !== undefined) list.reload();
                        }}
                      >
                        Delete
                      </button>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {can('analyst') ? <SaveForm sql={sql} targets={targets} onSaved={list.reload} /> : null}
    </Panel>
  );
}
