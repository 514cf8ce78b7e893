/** The audit log viewer: filter by action, actor, outcome and time; page through, newest first. */
import { type FormEvent, useState } from 'react';
import { qs } from '../../api/client.js';
import type { AuditEntryT, Page } from '../../api/types.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote } from '../../components/notice.js';
import { Pager, useCursorPages } from '../../components/pager.js';
import { Panel } from '../../components/panel.js';
import { AuditTable } from './audit-table.js';

interface Filters {
  action: string;
  actor: string;
  outcome: string;
  since: string;
}

const EMPTY: Filters = { action: '', actor: '', outcome: '', since: '' };

export function AuditLog() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const pages = useCursorPages();
  const path = `/api/v1/audit${qs({
    limit: 25,
    cursor: pages.cursor,
    action: filters.action,
    actor: filters.actor,
    outcome: filters.outcome,
    since: filters.since ? new Date(filters.since).toISOString() : undefined,
  })}`;
  const page = useApi<Page<AuditEntryT>>(path);
  const apply = (e: FormEvent) => {
    e.preventDefault();
    pages.reset();
    setFilters(draft);
  };
  const set = (k: keyof Filters) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [k]: e.target.value }));
  return (
    <Panel title="Audit log">
      <form className="filters" onSubmit={apply} aria-label="Filter the audit log">
        <label>
          Action (e.g. <code>group.create</code>, or <code>session.%</code>)
          <input value={draft.action} onChange={set('action')} pattern="[a-z0-9_.]+%?" />
        </label>
        <label>
          Actor (e.g. <code>user:ID</code>)
          <input value={draft.actor} onChange={set('actor')} />
        </label>
        <label>
          Outcome
          <select value={draft.outcome} onChange={set('outcome')}>
            <option value="">any</option>
            <option value="success">success</option>
            <option value="failure">failure</option>
          </select>
        </label>
        <label>
          Since
          <input type="datetime-local" value={draft.since} onChange={set('since')} />
        </label>
        <button type="submit">Apply</button>
      </form>
      <ErrorNote error={page.error} />
      {page.data ? <AuditTable entries={page.data.items} /> : null}
      <Pager page={pages.page} nextCursor={page.data?.next_cursor} onNext={pages.next} onPrev={pages.prev} />
    </Panel>
  );
}
