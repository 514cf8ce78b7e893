import type { TableCollector } from '../types.js';
import { readCpuinfo, socketsOf } from './cpuinfo.js';
import { readTrimmed, toFloat, toInt } from './parse-helpers.js';

/** cpu_info: one row per processor socket from /proc/cpuinfo, with the cpufreq maximum where available. */
export const cpuInfo: TableCollector = {
  name: 'cpu_info',
  *collect(ctx) {
    for (const [socket, entries] of socketsOf(readCpuinfo(ctx))) {
      const first = entries[0];
      if (first === undefined) continue;
      const cpu = first.get('processor') ?? '0';
      const maxKhz = toInt(readTrimmed(ctx, `/sys/devices/system/cpu/cpu${cpu}/cpufreq/cpuinfo_max_freq`));
      const mhz = toFloat(first.get('cpu MHz'));
      const flags = (first.get('flags') ?? '').split(/\s+/);
      yield {
        device_id: socket,
        model: first.get('model name') ?? null,
        manufacturer: first.get('vendor_id') ?? null,
        number_of_cores: first.get('cpu cores') ?? String(new Set(entries.map((e) => e.get('core id'))).size),
        logical_processors: toInt(first.get('siblings')) ?? entries.length,
        address_width: first.has('flags') ? (flags.includes('lm') ? '64' : '32') : null,
        current_clock_speed: mhz === null ? null : Math.round(mhz),
        max_clock_speed: maxKhz === null ? null : Math.round(maxKhz / 1000),
      };
    }
  },
};
