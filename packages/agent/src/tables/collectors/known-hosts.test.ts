import { describe, expect, it } from 'vitest';
import { collectAll, fixtureRoot } from '../test-context.js';
import { knownHosts } from './known-hosts.js';

describe('known_hosts', () => {
  it('lists each entry line of known_hosts', () => {
    const { rows } = collectAll(knownHosts, fixtureRoot('known_hosts'));
    expect(rows).toEqual([
      {
        uid: 1000,
        key: '|1|abc=|def= ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl',
        key_file: '/home/alice/.ssh/known_hosts',
      },
      { uid: 1000, key: 'github.com ssh-rsa AAAAB3NzaC1yc2E', key_file: '/home/alice/.ssh/known_hosts' },
    ]);
  });

  it('runs on the real machine and returns well-formed rows', () => {
    const { rows } = collectAll(knownHosts, '/');
    for (const r of rows) expect(String(r.key_file)).toMatch(/known_hosts2?$/);
  });
});
