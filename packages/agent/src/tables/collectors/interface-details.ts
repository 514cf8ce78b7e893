import type { TableCollector } from '../types.js';
import { interfaceFlags, listInterfaces, pciSlot, readNetAttr } from './net-sysfs.js';
import { toInt } from './parse-helpers.js';

const STATISTICS: [string, string][] = [
  ['ipackets', 'rx_packets'],
  ['opackets', 'tx_packets'],
  ['ibytes', 'rx_bytes'],
  ['obytes', 'tx_bytes'],
  ['ierrors', 'rx_errors'],
  ['oerrors', 'tx_errors'],
  ['idrops', 'rx_dropped'],
  ['odrops', 'tx_dropped'],
  ['collisions', 'collisions'],
];

/** interface_details: per-interface link facts and counters from /sys/class/net. */
export const interfaceDetails: TableCollector = {
  name: 'interface_details',
  *collect(ctx) {
    const names = listInterfaces(ctx);
    if (names.length === 0) ctx.warn('no interfaces under /sys/class/net');
    for (const iface of names) {
      const speed = toInt(readNetAttr(ctx, iface, 'speed'));
      const row: Record<string, string | number | null> = {
        interface: iface,
        mac: readNetAttr(ctx, iface, 'address'),
        type: toInt(readNetAttr(ctx, iface, 'type')),
        mtu: toInt(readNetAttr(ctx, iface, 'mtu')),
        metric: 0,
        flags: interfaceFlags(ctx, iface),
      };
      for (const [column, file] of STATISTICS)
        row[column] = toInt(readNetAttr(ctx, iface, `statistics/${file}`));
      // Linux keeps no per-interface change time; osquery reports -1.
      row.last_change = -1;
      row.link_speed = speed === null || speed < 0 ? null : speed;
      row.pci_slot = pciSlot(ctx, iface);
      yield row;
    }
  },
};
