import { existsIn } from '../fs-helpers.js';
import type { TableCollector } from '../types.js';
import { readDmi } from './dmi.js';

/** platform_info: the firmware (BIOS/UEFI) vendor, version, date and type; empty without DMI data. */
export const platformInfo: TableCollector = {
  name: 'platform_info',
  *collect(ctx) {
    if (!existsIn(ctx, '/sys/class/dmi/id')) {
      ctx.warn('no /sys/class/dmi/id (virtual machine or container without DMI): platform_info is empty');
      return;
    }
    yield {
      vendor: readDmi(ctx, 'bios_vendor'),
      version: readDmi(ctx, 'bios_version'),
      date: readDmi(ctx, 'bios_date'),
      revision: readDmi(ctx, 'bios_release'),
      firmware_type: existsIn(ctx, '/sys/firmware/efi') ? 'uefi' : 'bios',
    };
  },
};
