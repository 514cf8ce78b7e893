import { existsIn, listDir } from '../fs-helpers.js';
import type { TableCollector } from '../types.js';
import { fields, readTrimmed } from './parse-helpers.js';

const ROOT_KEYS = ['checkreqprot', 'deny_unknown', 'enforce', 'mls', 'policyvers', 'reject_unknown'];

/** selinux_settings: the selinuxfs status files and booleans (scope "booleans"); empty where SELinux is off. */
export const selinuxSettings: TableCollector = {
  name: 'selinux_settings',
  *collect(ctx) {
    const base = '/sys/fs/selinux';
    if (!existsIn(ctx, base)) {
      ctx.warn('SELinux is not enabled (no /sys/fs/selinux)');
      return;
    }
    for (const key of ROOT_KEYS) {
      const value = readTrimmed(ctx, `${base}/${key}`);
      if (value !== null) yield { scope: '', key, value };
    }
    for (const key of listDir(ctx, `${base}/booleans`)) {
      // A boolean file holds "<current> <pending>".
      const value = readTrimmed(ctx, `${base}/booleans/${key}`);
      if (value !== null) yield { scope: 'booleans', key, value: fields(value)[0] === '1' ? 'on' : 'off' };
    }
  },
};
