/**
 * The devices a page was opened for: `?devices=ID,ID…`, as the devices page's "Query" and "Run an
 * action" buttons link. Ids are the API's device ids; anything else is dropped, and at most
 * MAX_PRESET are taken (a longer selection belongs in a group or a filter).
 */
export const MAX_PRESET = 200;
const DEVICE_ID = /^[A-Za-z0-9_-]{1,64}$/; // the API's Id pattern

/** The preset device ids in `search`, unique, in their order. */
export function presetDeviceIds(search: URLSearchParams): string[] {
  const raw = search.get('devices');
  if (!raw) return [];
  const ids = raw.split(',').filter((id) => DEVICE_ID.test(id));
  return [...new Set(ids)].slice(0, MAX_PRESET);
}

/** The search string that opens `path` preset on `ids`. */
export function withPresetDevices(path: string, ids: readonly string[]): string {
  return `${path}?devices=${ids.slice(0, MAX_PRESET).map(encodeURIComponent).join(',')}`;
}
