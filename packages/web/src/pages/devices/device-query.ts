/** The devices page's filters as URL parameters, and how they become a devices API query. */
import { qs } from '../../api/client.js';

/** The filters a user can set on the devices page. */
export interface DeviceFilters {
  q: string;
  status: string;
  os: string;
  group: string;
  tag: string;
  filter: string;
  sort: string;
  order: string;
}

const KEYS: Array<keyof DeviceFilters> = ['q', 'status', 'os', 'group', 'tag', 'filter', 'sort', 'order'];

/** Read the filters from the page's URL parameters. */
export function filtersFromSearch(search: URLSearchParams): DeviceFilters {
  const f = Object.fromEntries(KEYS.map((k) => [k, search.get(k) ?? ''])) as unknown as DeviceFilters;
  return f;
}

/** The page URL for a set of filters. */
export function searchFromFilters(f: DeviceFilters): string {
  return qs(Object.fromEntries(KEYS.map((k) => [k, f[k]])));
}

/** Quote a value as a device-filter string literal (a quote inside is doubled). */
export function filterString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * The devices API path for the filters. The API filters status, tag, group and hostname itself;
 * the OS name and the free filter expression go into its `filter` parameter, joined with AND.
 */
export function devicesPath(f: DeviceFilters, cursor: string | undefined, limit: number): string {
  const parts: string[] = [];
  if (f.os) parts.push(`os.name LIKE ${filterString(`%${f.os}%`)}`);
  if (f.filter) parts.push(`(${f.filter})`);
  return `/api/v1/devices${qs({
    limit,
    cursor,
    q: f.q,
    status: f.status,
    tag: f.tag,
    group: f.group,
    filter: parts.join(' AND '),
    sort: f.sort || 'hostname',
    order: f.order || 'asc',
  })}`;
}
