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
  /** Only devices whose compliance score is below this percentage ('' for any). */
  compliance: string;
  sort: string;
  order: string;
  /** Devices per page ('' for the default). */
  size: string;
}

const KEYS: Array<keyof DeviceFilters> = [
  'q',
  'status',
  'os',
  'group',
  'tag',
  'filter',
  'compliance',
  'sort',
  'order',
  'size',
];

/** Devices per page the page offers; the API allows up to 500, and the table renders only the rows in view. */
export const PAGE_SIZES = [50, 200, 500] as const;

/** The page size the filters ask for, or the first one offered. */
export function pageSize(f: DeviceFilters): number {
  const n = Number(f.size);
  return (PAGE_SIZES as readonly number[]).includes(n) ? n : PAGE_SIZES[0];
}

/** The compliance bound as the API takes it, or undefined when it is empty or not a percentage. */
export function complianceBelow(f: DeviceFilters): number | undefined {
  if (f.compliance.trim() === '') return undefined;
  const n = Number(f.compliance);
  return Number.isFinite(n) && n >= 0 && n <= 100 ? n : undefined;
}

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
 * The devices API's match parameters for the filters. The API filters status, tag, group,
 * hostname and compliance itself; the OS name and the free filter expression go into its
 * `filter` parameter, joined with AND.
 */
function matchParams(f: DeviceFilters) {
  const parts: string[] = [];
  if (f.os) parts.push(`os.name LIKE ${filterString(`%${f.os}%`)}`);
  if (f.filter) parts.push(`(${f.filter})`);
  return {
    q: f.q,
    status: f.status,
    tag: f.tag,
    group: f.group,
    filter: parts.join(' AND '),
    compliance_below: complianceBelow(f),
  };
}

/** The devices API path for one page of the filtered list. */
export function devicesPath(f: DeviceFilters, cursor: string | undefined, limit: number): string {
  return `/api/v1/devices${qs({
    limit,
    cursor,
    ...matchParams(f),
    sort: f.sort || 'hostname',
    order: f.order || 'asc',
  })}`;
}

/** The devices API path that counts every device the filters match (for "N devices match"). */
export function deviceCountPath(f: DeviceFilters): string {
  return `/api/v1/devices/count${qs(matchParams(f))}`;
}
