import { existsIn, readText } from '../fs-helpers.js';
import type { TableCollector } from '../types.js';
import { physicalCoreCount, readCpuinfo, socketsOf } from './cpuinfo.js';
import { readDmi } from './dmi.js';
import { readArch } from './os-version.js';
import { parseStanzas, readTrimmed, toInt } from './parse-helpers.js';

/** system_info: host identity (hostname, DMI hardware strings) plus CPU and memory totals. */
export const systemInfo: TableCollector = {
  name: 'system_info',
  *collect(ctx) {
    const hostname = readTrimmed(ctx, '/proc/sys/kernel/hostname');
    const domain = readTrimmed(ctx, '/proc/sys/kernel/domainname');
    const cpus = readCpuinfo(ctx);
    const first = cpus[0];
    const meminfo = parseStanzas(readText(ctx, '/proc/meminfo') ?? '')[0];
    const memKib = toInt((meminfo?.get('MemTotal') ?? '').replace(/\s*kB$/, ''));
    if (!existsIn(ctx, '/sys/class/dmi/id'))
      ctx.warn('no /sys/class/dmi/id: hardware and board fields are empty');
    const machineId = readTrimmed(ctx, '/etc/machine-id');
    const fqdn =
      hostname !== null && domain !== null && domain !== '' && domain !== '(none)'
        ? `${hostname}.${domain}`
        : hostname;
    yield {
      hostname: fqdn,
      uuid: readDmi(ctx, 'product_uuid') ?? (machineId === null || machineId === '' ? null : machineId),
      cpu_type: readArch(ctx),
      cpu_subtype: first?.get('model') ?? null,
      cpu_brand: first?.get('model name') ?? null,
      cpu_physical_cores: cpus.length === 0 ? null : physicalCoreCount(cpus),
      cpu_logical_cores: cpus.length === 0 ? null : cpus.length,
      cpu_sockets: cpus.length === 0 ? null : socketsOf(cpus).size,
      cpu_microcode: first?.get('microcode') ?? null,
      physical_memory: memKib === null ? null : memKib * 1024,
      hardware_vendor: readDmi(ctx, 'sys_vendor'),
      hardware_model: readDmi(ctx, 'product_name'),
      hardware_version: readDmi(ctx, 'product_version'),
      hardware_serial: readDmi(ctx, 'product_serial'),
      board_vendor: readDmi(ctx, 'board_vendor'),
      board_model: readDmi(ctx, 'board_name'),
      board_version: readDmi(ctx, 'board_version'),
      board_serial: readDmi(ctx, 'board_serial'),
      computer_name: hostname,
      local_hostname: hostname,
    };
  },
};
