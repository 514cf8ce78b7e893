import { readText } from '../fs-helpers.js';
import type { TableCollector } from '../types.js';
import { parseStanzas, toInt } from './parse-helpers.js';

const COLUMNS: [string, string][] = [
  ['memory_total', 'MemTotal'],
  ['memory_free', 'MemFree'],
  ['memory_available', 'MemAvailable'],
  ['buffers', 'Buffers'],
  ['cached', 'Cached'],
  ['swap_cached', 'SwapCached'],
  ['active', 'Active'],
  ['inactive', 'Inactive'],
  ['swap_total', 'SwapTotal'],
  ['swap_free', 'SwapFree'],
];

/** memory_info: /proc/meminfo figures converted from KiB to bytes. */
export const memoryInfo: TableCollector = {
  name: 'memory_info',
  *collect(ctx) {
    const text = readText(ctx, '/proc/meminfo');
    if (text === null) {
      ctx.warn('/proc/meminfo is not present');
      return;
    }
    const info = parseStanzas(text)[0] ?? new Map<string, string>();
    const row: Record<string, number | null> = {};
    for (const [column, key] of COLUMNS) {
      const kib = toInt((info.get(key) ?? '').replace(/\s*kB$/, ''));
      row[column] = kib === null ? null : kib * 1024;
    }
    yield row;
  },
};
