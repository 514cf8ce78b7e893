import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectAll, fixtureRoot } from '../test-context.js';
import { sshConfigs } from './ssh-configs.js';

describe('ssh_configs', () => {
  it('parses the system and user configs with their blocks', () => {
    const { rows } = collectAll(sshConfigs, fixtureRoot('ssh_configs'));
    const sys = '/etc/ssh/ssh_config';
    const user = '/home/alice/.ssh/config';
    expect(rows).toEqual([
      { uid: 0, block: '', option: 'include /etc/ssh/ssh_config.d/*.conf', ssh_config_file: sys },
      { uid: 0, block: 'host *', option: 'sendenv LANG LC_*', ssh_config_file: sys },
      { uid: 0, block: 'host *', option: 'stricthostkeychecking ask', ssh_config_file: sys },
      { uid: 1000, block: 'host bastion', option: 'hostname 10.0.0.1', ssh_config_file: user },
      { uid: 1000, block: 'host bastion', option: 'user alice', ssh_config_file: user },
      { uid: 1000, block: 'match host *.internal', option: 'forwardagent yes', ssh_config_file: user },
    ]);
  });

  it.skipIf(!existsSync('/etc/ssh/ssh_config'))(
    'reads the real /etc/ssh/ssh_config (openssh-client installed)',
    () => {
      const { rows } = collectAll(sshConfigs, '/', { equals: { uid: [0] } });
      expect(rows.some((r) => r.ssh_config_file === '/etc/ssh/ssh_config')).toBe(true);
    },
  );
});
