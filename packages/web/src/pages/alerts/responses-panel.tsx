/**
 * Automated response rules: when a detection rule fires on an agent, the agent runs an action by
 * itself. Everyone sees the rules; admins create, switch on and off, and delete them, and see the
 * recent executions.
 */
import type { ResponseRuleDtoT } from '@vigil/protocol';
import { useState } from 'react';
import { api } from '../../api/client.js';
import type { Items } from '../../api/types.js';
import { useSession } from '../../app/session.js';
import { useAction } from '../../app/use-action.js';
import { useApi } from '../../app/use-api.js';
import { EnableToggle } from '../../components/enable-toggle.js';
import { ErrorNote, Loading } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';
import { StatusBadge } from '../../components/status-badge.js';
import { ConfirmButton } from './confirm-button.js';
import { conditionText, stepText } from './response-body.js';
import { ResponseExecutions } from './response-executions.js';
import { ResponseForm } from './response-form.js';

function ResponseRow({ rule, onChanged }: { rule: ResponseRuleDtoT; onChanged: () => void }) {
  const { can } = useSession();
  const path = `/api/v1/responses/${encodeURIComponent(rule.id)}`;
  const toggle = useAction(() => api<ResponseRuleDtoT>('PATCH', path, { enabled: !rule.enabled }));
  const remove = useAction(() => api('DELETE', path));
  return (
    <tr>
      <td>{rule.name}</td>
      <td>
        <code>{rule.rule}</code>
        {rule.when.map((c) => (
          <div key={conditionText(c)} className="muted small">
            if {conditionText(c)}
          </div>
        ))}
      </td>
      <td>
        {rule.actions.map((s) => (
          <div key={stepText(s)}>
            <code>{stepText(s)}</code>
          </div>
        ))}
      </td>
      <td>{rule.dry_run ? 'dry run' : 'live'}</td>
      <td>{rule.max_per_hour}/h</td>
      <td>{rule.group ? `group ${rule.group.name}` : 'every device'}</td>
      <td>
        <StatusBadge status={rule.enabled ? 'enabled' : 'disabled'} />
      </td>
      {can('admin') ? (
        <td>
          <div className="row-buttons">
            <EnableToggle
              name={rule.name}
              enabled={rule.enabled}
              pending={toggle.pending}
              toggle={toggle.run}
              onChanged={onChanged}
            />
            <ConfirmButton
              label={`Delete response ${rule.name}`}
              question={<>Delete {rule.name}? Agents stop running it.</>}
              confirmLabel="Yes, delete"
              onConfirm={async () => {
                await remove.run();
                onChanged();
              }}
            />
          </div>
          <ErrorNote error={toggle.error ?? remove.error} />
        </td>
      ) : null}
    </tr>
  );
}

export function ResponsesPanel() {
  const { can } = useSession();
  const list = useApi<Items<ResponseRuleDtoT>>('/api/v1/responses');
  const [creating, setCreating] = useState(false);
  const items = list.data?.items ?? [];
  return (
    <Panel
      title="Automated responses"
      actions={
        can('admin') && !creating ? (
          <button type="button" onClick={() => setCreating(true)}>
            New response
          </button>
        ) : null
      }
    >
      <p className="muted small">
        Agents run these themselves when a detection rule fires, so they work while the server is unreachable.
        A disabled rule is kept but not sent to agents.
      </p>
      <ErrorNote error={list.error} />
      {!list.data && !list.error ? <Loading /> : null}
      {list.data && items.length === 0 ? <p className="muted">No automated response.</p> : null}
      {items.length > 0 ? (
        <div className="scroll-x">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">When</th>
                <th scope="col">Then</th>
                <th scope="col">Mode</th>
                <th scope="col">Cap</th>
                <th scope="col">Devices</th>
                <th scope="col">State</th>
                {can('admin') ? (
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <ResponseRow key={r.id} rule={r} onChanged={list.reload} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {creating && can('admin') ? (
        <ResponseForm
          onSaved={() => {
            setCreating(false);
            list.reload();
          }}
          onCancel={() => setCreating(false)}
        />
      ) : null}
      {can('admin') ? (
        <ResponseExecutions />
      ) : (
        <p className="muted small">Recent executions are in the audit log, which admins read.</p>
      )}
    </Panel>
  );
}
