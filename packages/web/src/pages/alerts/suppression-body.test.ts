import { describe, expect, it } from 'vitest';
import { suppressDraftFor, suppressionBody } from './suppression-body.js';

const onDevice = {
  rule: 'check.Linux.Ssh.RootLogin',
  title: 'Root login allowed',
  device: { id: 'dev1', hostname: 'web-1' },
};
const fleetWide = { rule: 'agent.key_conflict', title: 'Key used twice', device: null };

describe('suppression from an alert', () => {
  it('starts from the alert: its rule, its device, one day', () => {
    expect(suppressDraftFor(onDevice)).toEqual({
      rule: 'check.Linux.Ssh.RootLogin',
      scope: 'device',
      group: '',
      duration: '86400',
      reason: '',
    });
    expect(suppressDraftFor(fleetWide).scope).toBe('everywhere');
  });

  it('mutes the rule on the device for the chosen time, naming the alert when no reason is typed', () => {
    expect(suppressionBody(suppressDraftFor(onDevice), onDevice)).toEqual({
      rule: 'check.Linux.Ssh.RootLogin',
      device: 'dev1',
      duration_s: 86400,
      reason: 'Suppressed from the alert "Root login allowed"',
    });
  });

  it('mutes a pattern on a group without expiry, with the typed reason', () => {
    const body = suppressionBody(
      { rule: ' check.Linux.Ssh.* ', scope: 'group', group: 'lab', duration: '', reason: '  lab hosts  ' },
      onDevice,
    );
    expect(body).toEqual({ rule: 'check.Linux.Ssh.*', group: 'lab', reason: 'lab hosts' });
  });

  it('mutes everywhere with neither device nor group', () => {
    const body = suppressionBody(
      { ...suppressDraftFor(onDevice), scope: 'everywhere', duration: '3600' },
      onDevice,
    );
    expect(body).not.toHaveProperty('device');
    expect(body).not.toHaveProperty('group');
    expect(body.duration_s).toBe(3600);
  });

  it('refuses a device scope without a device and a group scope without a group', () => {
    expect(() => suppressionBody({ ...suppressDraftFor(fleetWide), scope: 'device' }, fleetWide)).toThrow(
      /no device/,
    );
    expect(() => suppressionBody({ ...suppressDraftFor(onDevice), scope: 'group' }, onDevice)).toThrow(
      /choose the group/,
    );
  });
});
