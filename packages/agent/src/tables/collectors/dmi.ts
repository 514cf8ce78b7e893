import type { TableContext } from '../types.js';
import { readTrimmed } from './parse-helpers.js';

/** Reads one /sys/class/dmi/id attribute; null when absent or blank (firmware often leaves them empty). */
export function readDmi(ctx: TableContext, name: string): string | null {
  const value = readTrimmed(ctx, `/sys/class/dmi/id/${name}`);
  return value === null || value === '' ? null : value;
}
