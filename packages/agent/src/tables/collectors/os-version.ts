import { machine } from 'node:os';
import { readText } from '../fs-helpers.js';
import type { TableCollector, TableContext } from '../types.js';
import { parseEnvFile, readTrimmed, toInt } from './parse-helpers.js';

/** The machine architecture: the kernel.arch sysctl where the kernel has it, else the live host's uname. */
export function readArch(ctx: TableContext): string | null {
  const arch = readTrimmed(ctx, '/proc/sys/kernel/arch');
  if (arch !== null && arch !== '') return arch;
  return ctx.root === '/' ? machine() : null;
}

/** os_version: one row from os-release(5). */
export const osVersion: TableCollector = {
  name: 'os_version',
  *collect(ctx) {
    const text = readText(ctx, '/etc/os-release') ?? readText(ctx, '/usr/lib/os-release');
    if (text === null) {
      ctx.warn('no /etc/os-release or /usr/lib/os-release');
      return;
    }
    const env = parseEnvFile(text);
    const [major, minor, patch] = (env.get('VERSION_ID') ?? '').split('.');
    yield {
      name: env.get('NAME') ?? 'Linux',
      version: env.get('VERSION') ?? env.get('VERSION_ID') ?? null,
      major: toInt(major) ?? 0,
      minor: toInt(minor) ?? 0,
      patch: toInt(patch) ?? 0,
      build: env.get('BUILD_ID') ?? '',
      platform: env.get('ID') ?? null,
      platform_like: env.get('ID_LIKE') ?? '',
      codename: env.get('VERSION_CODENAME') ?? '',
      arch: readArch(ctx),
    };
  },
};
