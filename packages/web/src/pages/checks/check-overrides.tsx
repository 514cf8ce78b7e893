/** Overrides: turn a check on or off, or change its parameters, for the account or one group (admins). */
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.js';
import type { CheckOverride, GroupT, Items, Page } from '../../api/types.js';
import { useSession } from '../../app/session.js';
import { useAction } from '../../app/use-action.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';

function OverrideForm({ initialCheck, onSaved }: { initialCheck: string; onSaved: () => void }) {
  const groups = useApi<Page<GroupT>>('/api/v1/groups?limit=500');
  const [check, setCheck] = useState(initialCheck);
  const [group, setGroup] = useState('');
  const [enabled, setEnabled] = useState('');
  const [params, setParams] = useState('');
  const [parseError, setParseError] = useState('');
  const save = useAction((body: Record<string, unknown>) => api('PUT', '/api/v1/checks/overrides', body));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    let parsed: Record<string, unknown> | undefined;
    try {
      parsed = params.trim() ? (JSON.parse(params) as Record<string, unknown>) : undefined;
      setParseError('');
    } catch (err) {
      setParseError(`Parameters must be a JSON object: ${(err as Error).message}`);
      return;
    }
    const body = {
      check,
      ...(group ? { group } : {}),
      enabled: enabled === '' ? null : enabled === 'on',
      ...(parsed ? { params: parsed } : {}),
    };
    if ((await save.run(body)) !== undefined) onSaved();
  };
  return (
    <form onSubmit={submit} aria-label="Set an override">
      <label>
        Check
        <input
          required
          value={check}
          onChange={(e) => setCheck(e.target.value)}
          placeholder="Linux.Ssh.RootLoginDisabled"
        />
      </label>
      <label>
        For
        <select value={group} onChange={(e) => setGroup(e.target.value)}>
          <option value="">the whole account</option>
          {(groups.data?.items ?? []).map((g) => (
            <option key={g.id} value={g.name}>
              group {g.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Enabled
        <select value={enabled} onChange={(e) => setEnabled(e.target.value)}>
          <option value="">as the catalogue says</option>
          <option value="on">on</option>
          <option value="off">off</option>
        </select>
      </label>
      <label>
        Parameters (JSON object, e.g. <code>{'{"max_days": 60}'}</code>)
        <input value={params} onChange={(e) => setParams(e.target.value)} />
      </label>
      <button type="submit" disabled={save.pending}>
        Save override
      </button>
      {parseError ? (
        <p className="error" role="alert">
          {parseError}
        </p>
      ) : null}
      <ErrorNote error={save.error} />
    </form>
  );
}

export function CheckOverrides({ check }: { check: string | null }) {
  const { can } = useSession();
  const list = useApi<Items<CheckOverride>>('/api/v1/checks/overrides');
  return (
    <Panel title="Overrides">
      <ErrorNote error={list.error} />
      {list.data && list.data.items.length === 0 ? (
        <p className="muted">No overrides: every check runs as shipped.</p>
      ) : null}
      <ul>
        {(list.data?.items ?? []).map((o) => (
          <li key={`${o.group_id ?? ''}:${o.check}`}>
            <code>{o.check}</code> {o.group_id ? `for group ${o.group_id}` : 'for the account'}:{' '}
            {o.enabled === null ? 'enabled as shipped' : o.enabled ? 'on' : 'off'}
            {Object.keys(o.params).length ? `, parameters ${JSON.stringify(o.params)}` : ''}
          </li>
        ))}
      </ul>
      {can('admin') ? (
        <OverrideForm key={check ?? ''} initialCheck={check ?? ''} onSaved={list.reload} />
      ) : null}
    </Panel>
  );
}
