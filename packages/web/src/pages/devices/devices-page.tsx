/**
 * Devices: a server-side paginated, filtered and sorted table (50 to 500 a page, of which only the
 * rows in view are rendered, so 10k devices cost the browser no more than a screenful), with the
 * number of matching devices from one count request; analysts can select rows for bulk tagging.
 */
import { useState } from 'react';
import type { DeviceT, Page } from '../../api/types.js';
import { navigate, useLocation } from '../../app/router.js';
import { useSession } from '../../app/session.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote, Loading } from '../../components/notice.js';
import { Pager, useCursorPages } from '../../components/pager.js';
import { BulkBar } from './bulk-bar.js';
import { DeviceFilterForm } from './device-filter-form.js';
import {
  type DeviceFilters,
  deviceCountPath,
  devicesPath,
  filtersFromSearch,
  pageSize,
  searchFromFilters,
} from './device-query.js';
import { DeviceTable } from './device-table.js';

export default function DevicesPage() {
  const { search } = useLocation();
  const { can } = useSession();
  const filters = filtersFromSearch(search);
  const pages = useCursorPages();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const list = useApi<Page<DeviceT>>(devicesPath(filters, pages.cursor, pageSize(filters)), {
    live: ['devices'],
  });
  const matching = useApi<{ count: number }>(deviceCountPath(filters), { live: ['devices'] });

  const apply = (f: DeviceFilters) => {
    pages.reset();
    setSelected(new Set());
    navigate(`/devices${searchFromFilters(f)}`);
  };
  const onSort = (column: string) =>
    apply({
      ...filters,
      sort: column,
      order: (filters.sort || 'hostname') === column && filters.order !== 'desc' ? 'desc' : 'asc',
    });
  const onSelect = (ids: string[], on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      for (const id of ids) on ? next.add(id) : next.delete(id);
      return next;
    });

  return (
    <>
      <h1>Devices</h1>
      <DeviceFilterForm value={filters} onApply={apply} />
      <ErrorNote error={list.error} />
      {matching.data ? (
        <p className="match-count" data-testid="device-match-count">
          {matching.data.count} {matching.data.count === 1 ? 'device matches' : 'devices match'}
        </p>
      ) : null}
      {can('analyst') && selected.size > 0 ? (
        <BulkBar
          ids={[...selected]}
          onDone={() => {
            setSelected(new Set());
            list.reload();
          }}
        />
      ) : null}
      {list.data ? (
        <DeviceTable
          devices={list.data.items}
          selected={selected}
          onSelect={onSelect}
          selectable={can('analyst')}
          sort={filters.sort || 'hostname'}
          order={filters.order || 'asc'}
          onSort={onSort}
        />
      ) : list.error ? null : (
        <Loading />
      )}
      <Pager page={pages.page} nextCursor={list.data?.next_cursor} onNext={pages.next} onPrev={pages.prev} />
      <p className="muted small">
        Compliance is each device's severity-weighted share of passing checks; "Compliance below 100" lists
        every device failing a check. The failing devices of one check are on the Checks page.
      </p>
    </>
  );
}
