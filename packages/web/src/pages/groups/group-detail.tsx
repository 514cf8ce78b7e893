/** One group: its rule (editable by admins, with a live preview), its members, delete. */
import { type FormEvent, useEffect, useState } from 'react';
import { api } from '../../api/client.js';
import type { DeviceT, GroupT, Items } from '../../api/types.js';
import { Link } from '../../app/router.js';
import { useSession } from '../../app/session.js';
import { useAction } from '../../app/use-action.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';
import { StatusBadge } from '../../components/status-badge.js';
import { FilterPreview } from './filter-preview.js';

function RuleEditor({ group, onSaved }: { group: GroupT; onSaved: () => void }) {
  const [rule, setRule] = useState(group.rule ?? '');
  useEffect(() => setRule(group.rule ?? ''), [group.rule]);
  const save = useAction((r: string) => api<GroupT>('PATCH', `/api/v1/groups/${group.id}`, { rule: r }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await save.run(rule)) onSaved();
  };
  return (
    <form onSubmit={submit} aria-label="Change the rule">
      <label>
        Rule
        <input required maxLength={2048} value={rule} onChange={(e) => setRule(e.target.value)} />
      </label>
      {rule !== group.rule ? <FilterPreview rule={rule} /> : null}
      <button type="submit" disabled={save.pending || rule === group.rule}>
        Save rule
      </button>
      <ErrorNote error={save.error} />
    </form>
  );
}

export function GroupDetail({ group, onChanged }: { group: GroupT; onChanged: () => void }) {
  const { can } = useSession();
  const members = useApi<Items<DeviceT>>(`/api/v1/groups/${group.id}/members`, 10000);
  const remove = useAction((ids: string[]) =>
    api('DELETE', `/api/v1/groups/${group.id}/members`, { devices: ids }),
  );
  const del = useAction(() => api('DELETE', `/api/v1/groups/${group.id}`));
  const reload = () => {
    members.reload();
    onChanged();
  };
  return (
    <Panel
      title={`Group ${group.name}`}
      actions={
        can('admin') ? (
          <button
            type="button"
            className="danger"
            onClick={async () => {
              if (await del.run()) onChanged();
            }}
          >
            Delete group
          </button>
        ) : null
      }
    >
      <p>
        {group.kind} group{group.description ? ` — ${group.description}` : ''}.
        {group.kind === 'dynamic' ? (
          <>
            {' '}
            Rule: <code>{group.rule}</code>
          </>
        ) : null}
      </p>
      {group.kind === 'dynamic' && can('admin') ? <RuleEditor group={group} onSaved={reload} /> : null}
      <ErrorNote error={members.error ?? remove.error ?? del.error} />
      <h3>Members ({members.data?.items.length ?? '…'})</h3>
      <ul className="members">
        {(members.data?.items ?? []).map((d) => (
          <li key={d.id}>
            <Link to={`/devices/${d.id}`}>{d.hostname}</Link> <StatusBadge status={d.status} />
            {group.kind === 'static' && can('admin') ? (
              <button
                type="button"
                onClick={async () => {
                  if ((await remove.run([d.id])) !== undefined) reload();
                }}
              >
                Remove {d.hostname}
              </button>
            ) : null}
          </li>
        ))}
      </ul>
    </Panel>
  );
}
