import { describe, expect, it } from 'vitest';
import { parseAuthLine } from './parse-auth-line.js';

describe('auth log lines', () => {
  it('parses the SSH lines of both timestamp styles', () => {
    expect(
      parseAuthLine(
        '2025-01-31T12:00:00.123456+00:00 web1 sshd[812]: Failed password for root from 203.0.113.9 port 52144 ssh2',
      ),
    ).toEqual({
      type: 'ssh_failed',
      program: 'sshd',
      host: 'web1',
      method: 'password',
      user: 'root',
      source_ip: '203.0.113.9',
      source_port: 52144,
    });
    expect(
      parseAuthLine(
        'Jan  5 09:01:02 web1 sshd[9]: Failed password for invalid user oracle from 2001:db8::7 port 4 ssh2',
      ),
    ).toMatchObject({ type: 'ssh_failed', user: 'oracle', source_ip: '2001:db8::7', reason: 'invalid user' });
    expect(
      parseAuthLine('Jan  5 09:01:02 web1 sshd[9]: Invalid user oracle from 10.1.2.3 port 4'),
    ).toMatchObject({
      type: 'ssh_invalid_user',
      user: 'oracle',
      source_ip: '10.1.2.3',
    });
    expect(
      parseAuthLine(
        'Jan 15 10:11:12 web1 sshd[77]: Accepted publickey for alice from 10.1.2.3 port 50022 ssh2: ED25519 SHA256:abc',
      ),
    ).toMatchObject({ type: 'ssh_accepted', user: 'alice', method: 'publickey', source_port: 50022 });
  });

  it('parses sudo failures, account and password changes', () => {
    expect(
      parseAuthLine(
        'Jan 15 10:11:12 web1 sudo:    alice : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id',
      ),
    ).toMatchObject({
      type: 'sudo_failed',
      user: 'alice',
      reason: '3 incorrect password attempt(s)',
      command: '/usr/bin/id',
    });
    expect(
      parseAuthLine(
        'Jan 15 10:11:12 web1 sudo:      bob : user NOT in sudoers ; TTY=pts/1 ; PWD=/ ; USER=root ; COMMAND=/bin/sh',
      ),
    ).toMatchObject({ type: 'sudo_failed', user: 'bob', reason: 'user not in sudoers' });
    expect(
      parseAuthLine(
        'Jan 15 10:11:12 web1 sudo: pam_unix(sudo:auth): authentication failure; logname=alice uid=1000 euid=0 tty=/dev/pts/0 ruser=alice rhost=  user=alice',
      ),
    ).toMatchObject({ type: 'sudo_failed', user: 'alice' });
    expect(
      parseAuthLine(
        'Jan 15 10:11:12 web1 useradd[5]: new user: name=eve, UID=1001, GID=1001, home=/home/eve, shell=/bin/bash',
      ),
    ).toMatchObject({ type: 'user_added', user: 'eve', uid: 1001 });
    expect(parseAuthLine('Jan 15 10:11:12 web1 groupadd[5]: new group: name=eve, GID=1001')).toMatchObject({
      type: 'group_added',
      group: 'eve',
    });
    expect(
      parseAuthLine('Jan 15 10:11:12 web1 passwd[5]: pam_unix(passwd:chauthtok): password changed for eve'),
    ).toMatchObject({ type: 'password_changed', user: 'eve' });
  });

  it('ignores lines no rule needs and lines that are not syslog', () => {
    expect(
      parseAuthLine('Jan 15 10:11:12 web1 CRON[5]: pam_unix(cron:session): session opened for user root'),
    ).toBeNull();
    expect(parseAuthLine('Jan 15 10:11:12 web1 sshd[5]: Connection closed by 10.0.0.1 port 22')).toBeNull();
    expect(parseAuthLine('garbage')).toBeNull();
  });
});
