import type { TableCollector } from '../types.js';
import { readTrimmed } from './parse-helpers.js';

/** kernel_info: the running kernel's release and the boot image, root device and arguments it was started with. */
export const kernelInfo: TableCollector = {
  name: 'kernel_info',
  *collect(ctx) {
    const version = readTrimmed(ctx, '/proc/sys/kernel/osrelease');
    const cmdline = readTrimmed(ctx, '/proc/cmdline');
    if (version === null && cmdline === null) {
      ctx.warn('neither /proc/sys/kernel/osrelease nor /proc/cmdline is readable');
      return;
    }
    let path: string | null = null;
    let device: string | null = null;
    const rest: string[] = [];
    for (const arg of (cmdline ?? '').split(/\s+/).filter((a) => a !== '')) {
      if (arg.startsWith('BOOT_IMAGE=')) path = arg.slice('BOOT_IMAGE='.length);
      else if (arg.startsWith('root=')) device = arg.slice('root='.length);
      else rest.push(arg);
    }
    yield { version, arguments: rest.join(' '), path, device };
  },
};
