/**
 * Create an automated response rule: when a detection rule fires on an agent (and the optional
 * condition on its event holds), the agent runs an action with parameters taken from the event.
 * Actions that need a second admin's approval cannot run unattended, so they are not offered.
 */
import type { DetectionRuleSummaryT, GroupT, ResponseRuleDtoT } from '@vigil/protocol';
import { type FormEvent, useId, useState } from 'react';
import { api } from '../../api/client.js';
import type { Items, Page } from '../../api/types.js';
import { useAction } from '../../app/use-action.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote } from '../../components/notice.js';
import type { CatalogueEntry } from '../actions/action-types.js';
import type { ParamSchema } from '../actions/schema-params.js';
import { CONDITION_OPS, emptyResponseDraft, type ResponseDraft, responseBody } from './response-body.js';

const OP_LABELS: Record<(typeof CONDITION_OPS)[number], string> = {
  equals: 'equals',
  not_equals: 'does not equal',
  contains: 'contains',
};

export function ResponseForm({ onSaved, onCancel }: { onSaved: () => void; onCancel: () => void }) {
  const [d, setDraft] = useState<ResponseDraft>(emptyResponseDraft);
  const rules = useApi<Items<DetectionRuleSummaryT>>('/api/v1/detection-rules');
  const catalogue = useApi<Items<CatalogueEntry>>('/api/v1/actions/catalogue');
  const groups = useApi<Page<GroupT>>('/api/v1/groups?limit=500');
  const listId = useId();
  const actions = (catalogue.data?.items ?? []).filter(
    (a) => !a.needs_approval && a.platforms.some((p) => p.platform === 'linux'),
  );
  const action = actions.find((a) => a.name === d.action);
  const set = (patch: Partial<ResponseDraft>) => setDraft((x) => ({ ...x, ...patch }));
  const create = useAction((body: ReturnType<typeof responseBody>) =>
    api<ResponseRuleDtoT>('POST', '/api/v1/responses', body),
  );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!action) return;
    if (await create.run(responseBody(d, action.params))) onSaved();
  };
  return (
    <form onSubmit={submit} aria-label="New automated response">
      <h3>New automated response</h3>
      <label>
        Name
        <input
          required
          maxLength={64}
          pattern="[A-Za-z0-9][A-Za-z0-9 ._:\-]*"
          value={d.name}
          onChange={(e) => set({ name: e.target.value })}
        />
      </label>
      <fieldset>
        <legend>When</legend>
        <label>
          Detection rule (name, or a pattern with <code>*</code>)
          <input
            required
            list={listId}
            maxLength={128}
            pattern="[A-Za-z0-9_.*\-]+"
            value={d.rule}
            onChange={(e) => set({ rule: e.target.value })}
          />
        </label>
        <datalist id={listId}>
          {(rules.data?.items ?? []).map((r) => (
            <option key={r.name} value={r.name}>
              {r.title}
            </option>
          ))}
        </datalist>
        <div className="inline-form">
          <label>
            and the event field (optional)
            <input
              maxLength={128}
              pattern="[a-z_][a-z0-9_.]*"
              placeholder="user"
              value={d.condField}
              onChange={(e) => set({ condField: e.target.value })}
            />
          </label>
          <label>
            Condition
            <select
              value={d.condOp}
              onChange={(e) => set({ condOp: e.target.value as ResponseDraft['condOp'] })}
            >
              {CONDITION_OPS.map((op) => (
                <option key={op} value={op}>
                  {OP_LABELS[op]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Value
            <input
              maxLength={1024}
              required={d.condField.trim() !== ''}
              value={d.condValue}
              onChange={(e) => set({ condValue: e.target.value })}
            />
          </label>
        </div>
      </fieldset>
      <fieldset>
        <legend>Then</legend>
        <label>
          Action
          <select required value={d.action} onChange={(e) => set({ action: e.target.value, params: {} })}>
            <option value="">choose an action</option>
            {actions.map((a) => (
              <option key={a.name} value={a.name}>
                {a.name}: {a.title}
              </option>
            ))}
          </select>
        </label>
        {action ? (
          <>
            <p className="muted small">
              Type a value, or <code>{'{{field}}'}</code> to take it from the alert's event (e.g.{' '}
              <code>{'{{source_ip}}'}</code>, <code>{'{{pid}}'}</code>, <code>{'{{exe}}'}</code>).
            </p>
            {Object.entries(action.params.properties).map(([name, raw]) => {
              const p = raw as ParamSchema;
              const required = action.params.required?.includes(name) ?? false;
              return (
                <label key={name}>
                  {name} ({p.type ?? (p.enum ? 'one of' : 'value')}
                  {p.enum ? ` ${p.enum.join(', ')}` : ''}
                  {required ? ', required' : ''})
                  <input
                    required={required}
                    value={d.params[name] ?? ''}
                    placeholder={p.default === undefined ? '' : String(p.default)}
                    onChange={(e) => set({ params: { ...d.params, [name]: e.target.value } })}
                  />
                  {p.description ? <span className="muted small">{p.description}</span> : null}
                </label>
              );
            })}
          </>
        ) : null}
      </fieldset>
      <fieldset>
        <legend>Safety and scope</legend>
        <label className="radio">
          <input type="checkbox" checked={d.dryRun} onChange={(e) => set({ dryRun: e.target.checked })} />
          Dry run: report what it would do, change nothing
        </label>
        <label>
          Executions allowed per hour
          <input
            type="number"
            min={1}
            max={1000}
            required
            value={d.maxPerHour}
            onChange={(e) => set({ maxPerHour: e.target.value })}
          />
        </label>
        <label>
          Devices
          <select value={d.group} onChange={(e) => set({ group: e.target.value })}>
            <option value="">every device</option>
            {(groups.data?.items ?? []).map((g) => (
              <option key={g.id} value={g.name}>
                group {g.name}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      <div className="row-buttons">
        <button type="submit" disabled={create.pending || !action}>
          Create response
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
      <ErrorNote error={create.error ?? rules.error ?? catalogue.error} />
    </form>
  );
}
