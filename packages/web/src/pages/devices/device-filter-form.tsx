/**
 * The devices page's filter form: search, status, OS, group, tag, compliance below a score, a
 * device-filter expression, and how many devices a page holds.
 */
import { type FormEvent, useEffect, useState } from 'react';
import type { GroupT, Page } from '../../api/types.js';
import { useApi } from '../../app/use-api.js';
import { type DeviceFilters, PAGE_SIZES } from './device-query.js';

export function DeviceFilterForm({
  value,
  onApply,
}: {
  value: DeviceFilters;
  onApply: (f: DeviceFilters) => void;
}) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const groups = useApi<Page<GroupT>>('/api/v1/groups?limit=500');
  const set = (k: keyof DeviceFilters) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [k]: e.target.value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(draft);
  };
  return (
    <form className="filters" onSubmit={submit} aria-label="Filter devices">
      <label>
        Search hostname
        <input type="search" value={draft.q} onChange={set('q')} maxLength={128} />
      </label>
      <label>
        Status
        <select value={draft.status} onChange={set('status')}>
          <option value="">any</option>
          <option>online</option>
          <option>offline</option>
          <option>lost</option>
          <option>revoked</option>
        </select>
      </label>
      <label>
        OS name contains
        <input value={draft.os} onChange={set('os')} maxLength={64} />
      </label>
      <label>
        Group
        <select value={draft.group} onChange={set('group')}>
          <option value="">any</option>
          {(groups.data?.items ?? []).map((g) => (
            <option key={g.id} value={g.id}>
              {g.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Tag
        <input value={draft.tag} onChange={set('tag')} pattern="[a-z0-9][a-z0-9._:\-]*" maxLength={63} />
      </label>
      <label>
        Compliance below (%)
        <input
          type="number"
          min={0}
          max={100}
          step="any"
          value={draft.compliance}
          onChange={set('compliance')}
          title="Devices whose severity-weighted share of passing checks is below this; 100 finds every device failing a check"
        />
      </label>
      <label>
        Rows per page
        <select value={draft.size || String(PAGE_SIZES[0])} onChange={set('size')}>
          {PAGE_SIZES.map((n) => (
            <option key={n}>{n}</option>
          ))}
        </select>
      </label>
      <label className="wide">
        Filter expression (see docs/device-filters.md), e.g. <code>facts.cpu.cores &gt;= 8</code>
        <input value={draft.filter} onChange={set('filter')} maxLength={2048} />
      </label>
      <button type="submit">Apply filters</button>
    </form>
  );
}
