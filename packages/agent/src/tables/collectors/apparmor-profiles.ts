import { existsIn, listDir } from '../fs-helpers.js';
import type { Row, TableCollector } from '../types.js';
import { readTrimmed } from './parse-helpers.js';

const SECURITYFS = '/sys/kernel/security/apparmor';

/** apparmor_profiles: loaded AppArmor profiles from securityfs; empty where AppArmor is not active. */
export const apparmorProfiles: TableCollector = {
  name: 'apparmor_profiles',
  *collect(ctx): Generator<Row> {
    if (!existsIn(ctx, SECURITYFS)) {
      ctx.warn(`AppArmor is not active (no ${SECURITYFS}; securityfs not mounted or module not loaded)`);
      return;
    }
    const policyDir = `${SECURITYFS}/policy/profiles`;
    const dirs = listDir(ctx, policyDir);
    if (dirs.length > 0) {
      for (const dir of dirs) {
        const base = `${policyDir}/${dir}`;
        yield {
          path: dir,
          name: readTrimmed(ctx, `${base}/name`),
          attach: readTrimmed(ctx, `${base}/attach`),
          mode: readTrimmed(ctx, `${base}/mode`),
          sha1: readTrimmed(ctx, `${base}/sha1`),
          sha256: readTrimmed(ctx, `${base}/sha256`),
        };
      }
      return;
    }
    // Older kernels only have the flat list: "name (mode)" per line.
    const list = readTrimmed(ctx, `${SECURITYFS}/profiles`);
    for (const line of (list ?? '').split('\n')) {
      const match = /^(.*) \(([^)]+)\)$/.exec(line.trim());
      if (match) yield { path: match[1] ?? null, name: match[1] ?? null, mode: match[2] ?? null };
    }
  },
};
