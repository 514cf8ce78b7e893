import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { interfaceDetails } from './interface-details.js';
import { collectAt, collectFixture } from './test-collect.js';

describe('interface_details', () => {
  it('reads link facts and counters, and finds the PCI slot behind the device link', () => {
    const { rows } = collectFixture(interfaceDetails, 'interface_details');
    const sevens = {
      ipackets: 7,
      opackets: 7,
      ibytes: 7,
      obytes: 7,
      ierrors: 7,
      oerrors: 7,
      idrops: 7,
      odrops: 7,
      collisions: 7,
    };
    const none = {
      ipackets: null,
      opackets: null,
      ibytes: null,
      obytes: null,
      ierrors: null,
      oerrors: null,
      idrops: null,
      odrops: null,
      collisions: null,
    };
    expect(rows).toEqual([
      {
        interface: 'eth0',
        mac: '52:54:00:12:34:56',
        type: 1,
        mtu: 1500,
        metric: 0,
        flags: 0x1003,
        ipackets: 1,
        opackets: 2,
        ibytes: 3,
        obytes: 4,
        ierrors: 5,
        oerrors: 6,
        idrops: 7,
        odrops: 8,
        collisions: 9,
        last_change: -1,
        link_speed: 1000,
        pci_slot: '0000:00:03.0',
      },
      {
        interface: 'lo',
        mac: '00:00:00:00:00:00',
        type: 772,
        mtu: 65536,
        metric: 0,
        flags: 9,
        ...sevens,
        last_change: -1,
        link_speed: null,
        pci_slot: null,
      },
      {
        interface: 'wg0',
        mac: null,
        type: 65534,
        mtu: 1420,
        metric: 0,
        flags: 0x91,
        ...none,
        last_change: -1,
        link_speed: null,
        pci_slot: null,
      },
    ]);
  });

  it.skipIf(!existsSync('/sys/class/net'))(
    'lists every interface of this machine with loopback type 772',
    () => {
      const { rows } = collectAt(interfaceDetails, '/');
      expect(rows.map((r) => r.interface)).toEqual(readdirSync('/sys/class/net').sort());
      expect(rows.find((r) => r.interface === 'lo')?.type).toBe(772);
    },
  );
});
