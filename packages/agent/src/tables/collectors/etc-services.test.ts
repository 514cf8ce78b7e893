import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { etcServices } from './etc-services.js';
import { collectAt, collectFixture } from './test-collect.js';

describe('etc_services', () => {
  it('splits port/protocol and keeps aliases and comments', () => {
    const { rows } = collectFixture(etcServices, 'etc_services');
    expect(rows).toEqual([
      { name: 'tcpmux', port: 1, protocol: 'tcp', aliases: '', comment: 'TCP port service multiplexer' },
      { name: 'ssh', port: 22, protocol: 'tcp', aliases: '', comment: 'SSH Remote Login Protocol' },
      { name: 'smtp', port: 25, protocol: 'tcp', aliases: 'mail', comment: '' },
      { name: 'http', port: 80, protocol: 'tcp', aliases: 'www www-http', comment: 'WorldWideWeb HTTP' },
    ]);
  });

  it.skipIf(!existsSync('/etc/services'))('knows ssh is tcp/22 on this machine (needs /etc/services)', () => {
    const { rows } = collectAt(etcServices, '/');
    expect(rows).toContainEqual(expect.objectContaining({ name: 'ssh', port: 22, protocol: 'tcp' }));
  });
});
