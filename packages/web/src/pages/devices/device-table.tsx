/**
 * One page of devices: selectable rows, sortable headers, status, OS, tags, groups, compliance.
 * Only the rows in view are rendered (a page may hold up to 500), inside a scroll box whose header
 * stays put.
 */
import type { DeviceT } from '../../api/types.js';
import { Link } from '../../app/router.js';
import { StatusBadge } from '../../components/status-badge.js';
import { Time } from '../../components/time.js';
import { SpacerRow, useVirtualRows } from '../../components/virtual-rows.js';

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

/** A device's compliance as a cell: score and failing checks, or a dash before any result. */
function ComplianceCell({ device }: { device: DeviceT }) {
  if (device.compliance === null) return <span className="muted">–</span>;
  return (
    <span className={device.failing_checks > 0 ? 'bad-text' : undefined}>
      {device.compliance} %{device.failing_checks > 0 ? ` (${device.failing_checks} failing)` : ''}
    </span>
  );
}

export function DeviceTable({
  devices,
  selected,
  onSelect,
  selectable,
  sort,
  order,
  onSort,
}: {
  devices: DeviceT[];
  selected: Set<string>;
  onSelect: (ids: string[], on: boolean) => void;
  selectable: boolean;
  sort: string;
  order: string;
  onSort: (column: string) => void;
}) {
  const rows = useVirtualRows(devices.length);
  if (devices.length === 0) return <p className="muted">No device matches.</p>;
  const allOn = devices.every((d) => selected.has(d.id));
  const columns = selectable ? 8 : 7;
  const { start, end, padTop, padBottom } = rows.range;
  return (
    <div className="virtual-scroll" ref={rows.ref} onScroll={rows.onScroll}>
      <table className="devices virtual" aria-rowcount={devices.length + 1}>
        <thead>
          <tr aria-rowindex={1}>
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
            <th scope="col">Compliance</th>
            <SortHeader label="Last seen" column="last_seen_at" sort={sort} order={order} onSort={onSort} />
          </tr>
        </thead>
        <tbody>
          <SpacerRow height={padTop} columns={columns} />
          {devices.slice(start, end).map((d, i) => (
            <tr
              key={d.id}
              className={selected.has(d.id) ? 'selected' : undefined}
              aria-rowindex={start + i + 2}
            >
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
              <td>
                <ComplianceCell device={d} />
              </td>
              <td>
                <Time iso={d.last_seen_at} />
              </td>
            </tr>
          ))}
          <SpacerRow height={padBottom} columns={columns} />
        </tbody>
      </table>
    </div>
  );
}
