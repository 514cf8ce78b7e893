import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { testContext } from '../test-context.js';
import { packageDirectories, pythonPackages } from './python-packages.js';
import { collectAt, collectFixture } from './test-collect.js';

describe('python_packages', () => {
  it('reads dist-info METADATA, egg-info PKG-INFO directories and egg-info files', () => {
    const { rows, warnings } = collectFixture(pythonPackages, 'python_packages');
    expect(rows).toEqual([
      {
        name: 'chardet',
        version: '5.1.0',
        summary: 'Universal encoding detector',
        author: null,
        license: 'LGPL',
        path: '/usr/lib/python3.11/dist-packages/chardet-5.1.0.egg-info',
        directory: '/usr/lib/python3.11/dist-packages',
      },
      {
        name: 'requests',
        version: '2.28.1',
        summary: 'Python HTTP for Humans.',
        author: 'Kenneth Reitz',
        license: 'Apache 2.0',
        path: '/usr/lib/python3/dist-packages/requests-2.28.1.egg-info',
        directory: '/usr/lib/python3/dist-packages',
      },
      {
        name: 'six',
        version: '1.16.0',
        summary: 'Python 2 and 3 compatibility utilities',
        author: 'Benjamin Peterson',
        license: 'MIT',
        path: '/usr/lib/python3/dist-packages/six-1.16.0.dist-info',
        directory: '/usr/lib/python3/dist-packages',
      },
      {
        name: 'Flask',
        version: '3.0.0',
        summary: 'A simple framework for building complex web applications.',
        author: 'Pallets <contact@palletsprojects.com>',
        license: 'BSD-3-Clause',
        path: '/usr/local/lib/python3.11/site-packages/Flask-3.0.0.dist-info',
        directory: '/usr/local/lib/python3.11/site-packages',
      },
    ]);
    expect(warnings).toEqual([
      'no Name field in /usr/local/lib/python3.11/site-packages/broken-1.0.dist-info/METADATA',
    ]);
  });

  it.skipIf(!existsSync('/usr/lib/python3/dist-packages'))(
    'lists this machine system packages (needs /usr/lib/python3)',
    () => {
      const { ctx } = testContext('/');
      expect(packageDirectories(ctx)).toContain('/usr/lib/python3/dist-packages');
      const { rows } = collectAt(pythonPackages, '/');
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(String(row.path).startsWith(String(row.directory))).toBe(true);
    },
  );
});
