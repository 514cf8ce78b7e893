/** One alert with its full context (process, file diff, peer…), acknowledge or resolve with a note, suppress alerts like it. */
import type { AlertT } from '@vigil/protocol';
import { useState } from 'react';
import { api } from '../../api/client.js';
import { Link } from '../../app/router.js';
import { useSession } from '../../app/session.js';
import { useAction } from '../../app/use-action.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote, Loading } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';
import { StatusBadge } from '../../components/status-badge.js';
import { Time } from '../../components/time.js';
import { SuppressForm } from './suppress-form.js';

export function AlertDetail({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { can } = useSession();
  const alert = useApi<AlertT>(`/api/v1/alerts/${encodeURIComponent(id)}`);
  const [note, setNote] = useState('');
  const change = useAction((verb: 'ack' | 'resolve') =>
    api<AlertT>('POST', `/api/v1/alerts/${encodeURIComponent(id)}/${verb}`, note ? { note } : {}),
  );
  const act = async (verb: 'ack' | 'resolve') => {
    if (await change.run(verb)) {
      setNote('');
      alert.reload();
      onChanged();
    }
  };
  const a = alert.data;
  if (!a) return <Panel title="Alert">{alert.error ? <ErrorNote error={alert.error} /> : <Loading />}</Panel>;
  return (
    <Panel title={a.title}>
      <p>
        <StatusBadge status={a.status} /> {a.severity} · rule <code>{a.rule}</code>
        {a.device ? (
          <>
            {' '}
            on <Link to={`/devices/${a.device.id}`}>{a.device.hostname}</Link>
          </>
        ) : null}
      </p>
      <p className="muted small">
        Seen {a.count} time{a.count === 1 ? '' : 's'}, first <Time iso={a.first_seen} />, last{' '}
        <Time iso={a.last_seen} />
        {a.acknowledged_by ? `; acknowledged by ${a.acknowledged_by}` : ''}
        {a.resolved_by ? `; resolved by ${a.resolved_by}` : ''}
        {a.note ? `; note: ${a.note}` : ''}
      </p>
      <h3>Context</h3>
      <pre className="evidence">{JSON.stringify(a.context, null, 2)}</pre>
      {can('analyst') && (a.status === 'open' || a.status === 'acknowledged') ? (
        <form className="inline-form" aria-label="Handle the alert" onSubmit={(e) => e.preventDefault()}>
          <label>
            Note (optional)
            <input maxLength={1024} value={note} onChange={(e) => setNote(e.target.value)} />
          </label>
          {a.status === 'open' ? (
            <button type="button" onClick={() => void act('ack')} disabled={change.pending}>
              Acknowledge
            </button>
          ) : null}
          <button type="button" onClick={() => void act('resolve')} disabled={change.pending}>
            Resolve
          </button>
        </form>
      ) : null}
      <ErrorNote error={change.error} />
      {can('admin') ? <SuppressForm alert={a} /> : null}
    </Panel>
  );
}
