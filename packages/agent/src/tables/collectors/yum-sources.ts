import { existsIn, listDir, readText } from '../fs-helpers.js';
import type { TableCollector } from '../types.js';
import { parseIni } from './parse-helpers.js';

const REPOS_DIR = '/etc/yum.repos.d';

/** yum_sources: repositories from /etc/yum.conf and /etc/yum.repos.d/*.repo ([main] holds settings, not a repository). */
export const yumSources: TableCollector = {
  name: 'yum_sources',
  *collect(ctx) {
    if (!existsIn(ctx, REPOS_DIR) && !existsIn(ctx, '/etc/yum.conf')) {
      ctx.warn('no /etc/yum.repos.d or /etc/yum.conf (not a yum/dnf-based system)');
      return;
    }
    const files = [
      '/etc/yum.conf',
      ...listDir(ctx, REPOS_DIR)
        .filter((f) => f.endsWith('.repo'))
        .map((f) => `${REPOS_DIR}/${f}`),
    ];
    for (const source of files) {
      const text = readText(ctx, source);
      if (text === null) continue;
      for (const section of parseIni(text)) {
        if (section.name === '' || section.name === 'main') continue;
        const v = section.values;
        yield {
          name: v.get('name') ?? section.name,
          source,
          baseurl: v.get('baseurl') ?? null,
          mirrorlist: v.get('mirrorlist') ?? null,
          metalink: v.get('metalink') ?? null,
          enabled: v.get('enabled') ?? null,
          gpgcheck: v.get('gpgcheck') ?? null,
          gpgkey: v.get('gpgkey') ?? null,
        };
      }
    }
  },
};
