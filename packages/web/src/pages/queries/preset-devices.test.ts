import { describe, expect, it } from 'vitest';
import { MAX_PRESET, presetDeviceIds, withPresetDevices } from './preset-devices.js';

describe('preset devices in the URL', () => {
  it('reads the ids a selection link carries, dropping anything that is no device id and repeats', () => {
    const search = new URLSearchParams('devices=dev_a,dev-b,../etc,dev_a,,x%20y');
    expect(presetDeviceIds(search)).toEqual(['dev_a', 'dev-b']);
    expect(presetDeviceIds(new URLSearchParams('action=process.kill'))).toEqual([]);
  });

  it('round-trips through the link the devices page builds, bounded', () => {
    const link = withPresetDevices('/actions', ['d1', 'd2']);
    expect(link).toBe('/actions?devices=d1,d2');
    expect(presetDeviceIds(new URL(link, 'https://x').searchParams)).toEqual(['d1', 'd2']);
    const many = Array.from({ length: MAX_PRESET + 5 }, (_, i) => `d${i}`);
    expect(
      presetDeviceIds(new URL(withPresetDevices('/queries', many), 'https://x').searchParams),
    ).toHaveLength(MAX_PRESET);
  });
});
