import { describe, expect, it } from 'vitest';
import {
  complianceBelow,
  type DeviceFilters,
  deviceCountPath,
  devicesPath,
  filtersFromSearch,
  pageSize,
  searchFromFilters,
} from './device-query.js';

const none: DeviceFilters = filtersFromSearch(new URLSearchParams());

describe('device page filters', () => {
  it('round-trips every filter through the page URL', () => {
    const f = { ...none, q: 'web', compliance: '80', size: '200', status: 'online' };
    expect(filtersFromSearch(new URLSearchParams(searchFromFilters(f).slice(1)))).toEqual(f);
  });

  it('sends the compliance bound to the list and the count alike, and leaves out pagination from the count', () => {
    const f = { ...none, compliance: '80', tag: 'prod', os: 'Debian' };
    const list = new URL(devicesPath(f, 'abc', 200), 'https://x');
    const count = new URL(deviceCountPath(f), 'https://x');
    expect(list.pathname).toBe('/api/v1/devices');
    expect(count.pathname).toBe('/api/v1/devices/count');
    for (const u of [list, count]) {
      expect(u.searchParams.get('compliance_below')).toBe('80');
      expect(u.searchParams.get('tag')).toBe('prod');
      expect(u.searchParams.get('filter')).toBe("os.name LIKE '%Debian%'");
    }
    expect(list.searchParams.get('limit')).toBe('200');
    expect(list.searchParams.get('cursor')).toBe('abc');
    for (const k of ['limit', 'cursor', 'sort', 'order']) expect(count.searchParams.has(k), k).toBe(false);
  });

  it('drops a compliance bound that is empty or not a percentage', () => {
    expect(complianceBelow({ ...none, compliance: '' })).toBeUndefined();
    expect(complianceBelow({ ...none, compliance: '101' })).toBeUndefined();
    expect(complianceBelow({ ...none, compliance: 'x' })).toBeUndefined();
    expect(complianceBelow({ ...none, compliance: '99.5' })).toBe(99.5);
    expect(complianceBelow({ ...none, compliance: '0' })).toBe(0);
    expect(new URL(deviceCountPath({ ...none, compliance: 'abc' }), 'https://x').search).toBe('');
  });

  it('offers only page sizes the API and the table handle', () => {
    expect(pageSize(none)).toBe(50);
    expect(pageSize({ ...none, size: '500' })).toBe(500);
    expect(pageSize({ ...none, size: '10000' })).toBe(50);
  });
});
