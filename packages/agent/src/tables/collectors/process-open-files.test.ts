import { closeSync, openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectAll, fixtureRoot } from '../test-context.js';
import { processOpenFiles } from './process-open-files.js';

describe('process_open_files', () => {
  it('lists descriptors that point at paths, skipping pipes and sockets', () => {
    const { rows, warnings } = collectAll(processOpenFiles, fixtureRoot('process_open_files'));
    expect(warnings).toEqual([]);
    expect(rows).toEqual([
      { pid: 100, fd: 0, path: '/dev/null' },
      { pid: 100, fd: 1, path: '/var/log/app.log' },
      { pid: 300, fd: 4, path: '/etc/passwd' },
    ]);
  });

  it('shows a file this test holds open on the real machine', () => {
    const fd = openSync('/etc/passwd', 'r');
    try {
      const { rows } = collectAll(processOpenFiles, '/', { equals: { pid: [process.pid] } });
      expect(rows).toContainEqual({ pid: process.pid, fd, path: '/etc/passwd' });
    } finally {
      closeSync(fd);
    }
  });
});
