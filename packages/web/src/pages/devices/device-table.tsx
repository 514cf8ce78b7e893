/** One page of devices: selectable rows, sortable headers, status, OS, tags, groups, failing checks. */
import type { DeviceT } from '../../api/types.js';
import { Link } from '../../app/router.js';
import { StatusBadge } from '../../components/status-badge.js';
import { Time } from '../../components/time.js';

const SORTABLE: Array<{ key: string; label: string }> = [
  { key: 'hostname', label: 'Hostname' },
  { key: 'status', label: 'Status' },
];

function SortHeader({
  label,
  column,
  sort,
  order,
  onSort,
}: {
  label: string;
  column: string;
  sort: string;
  order: string;
  onSort: (column: string) => void;
}) {
  const active = sort === column;
  return (
    <th scope="col" aria-sort={active ? (order === 'desc' ? 'descending' : 'ascending') : 'none'}>
      <button type="button" className="link" onClick={() => onSort(column)}>
        {label} {active ? (order === 'desc' ? '↓' : '↑') : ''}
      </button>
    </th>
  );
}

export function DeviceTable({
  devices,
  failing,
  selected,
  onSelect,
  selectable,
  sort,
  order,
  onSort,
}: {
  devices: DeviceT[];
  /** Failing check count per device id (devices without results are absent). */
  failing: Map<string, number> | undefined;
  selected: Set<string>;
  onSelect: (ids: string[], on: boolean) => void;
  selectable: boolean;
  sort: string;
  order: string;
  onSort: (column: string) => void;
}) {
  if (devices.length === 0) return <p className="muted">No device matches.</p>;
  const allOn = devices.every((d) => selected.has(d.id));
  return (
    <table className="devices">
      <thead>
        <tr>
          {selectable ? (
            <th scope="col">
              <input
                type="checkbox"
                aria-label="Select every device on this page"
                checked={allOn}
                onChange={(e) =>
                  onSelect(
                    devices.map((d) => d.id),
                    e.target.checked,
                  )
                }
              />
            </th>
          ) : null}
          {SORTABLE.map((s) => (
            <SortHeader
              key={s.key}
              label={s.label}
              column={s.key}
              sort={sort}
              order={order}
              onSort={onSort}
            />
          ))}
          <th scope="col">OS</th>
          <th scope="col">Tags</th>
          <th scope="col">Groups</th>
          <th scope="col">Failing checks</th>
          <SortHeader label="Last seen" column="last_seen_at" sort={sort} order={order} onSort={onSort} />
        </tr>
      </thead>
      <tbody>
        {devices.map((d) => (
          <tr key={d.id} className={selected.has(d.id) ? 'selected' : undefined}>
            {selectable ? (
              <td>
                <input
                  type="checkbox"
                  aria-label={`Select ${d.hostname}`}
                  checked={selected.has(d.id)}
                  onChange={(e) => onSelect([d.id], e.target.checked)}
                />
              </td>
            ) : null}
            <td>
              <Link to={`/devices/${d.id}`}>{d.hostname}</Link>
            </td>
            <td>
              <StatusBadge status={d.status} />
            </td>
            <td>
              {d.os.name} {d.os.version}
            </td>
            <td>{d.tags.join(', ')}</td>
            <td>{d.groups.map((g) => g.name).join(', ')}</td>
            <td>{failing ? (failing.get(d.id) ?? 0) : '…'}</td>
            <td>
              <Time iso={d.last_seen_at} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
