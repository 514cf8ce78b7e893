import { describe, expect, it } from 'vitest';
import { collectAll, fixtureRoot, pick } from '../test-context.js';
import { userSshKeys } from './user-ssh-keys.js';

describe('user_ssh_keys', () => {
  it('recognises private keys made by ssh-keygen and openssl, and whether they are encrypted', () => {
    const { rows } = collectAll(userSshKeys, fixtureRoot('user_ssh_keys'));
    const dir = '/home/alice/.ssh';
    expect(pick(rows, ['uid', 'path', 'encrypted', 'key_type', 'key_group_name', 'key_length'])).toEqual([
      {
        uid: 1000,
        path: `${dir}/id_ecdsa`,
        encrypted: 0,
        key_type: 'ec',
        key_group_name: 'secp384r1',
        key_length: 384,
      },
      {
        uid: 1000,
        path: `${dir}/id_ed25519`,
        encrypted: 0,
        key_type: 'ed25519',
        key_group_name: '',
        key_length: null,
      },
      {
        uid: 1000,
        path: `${dir}/id_rsa`,
        encrypted: 1,
        key_type: 'rsa',
        key_group_name: '',
        key_length: 2048,
      },
      {
        uid: 1000,
        path: `${dir}/legacy_enc.pem`,
        encrypted: 1,
        key_type: 'rsa',
        key_group_name: '',
        key_length: null,
      },
      {
        uid: 1000,
        path: `${dir}/legacy_rsa.pem`,
        encrypted: 0,
        key_type: 'rsa',
        key_group_name: '',
        key_length: null,
      },
    ]);
  });

  it('runs on the real machine and returns well-formed rows', () => {
    const { rows } = collectAll(userSshKeys, '/');
    for (const r of rows) {
      expect(String(r.path)).toContain('/.ssh/');
      expect([0, 1]).toContain(r.encrypted);
    }
  });
});
