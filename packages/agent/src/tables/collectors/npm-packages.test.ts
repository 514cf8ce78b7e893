import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { npmPackages } from './npm-packages.js';
import { collectAt, collectFixture } from './test-collect.js';

describe('npm_packages', () => {
  it('reads global packages, scoped ones included, and warns about a broken package.json', () => {
    const { rows, warnings } = collectFixture(npmPackages, 'npm_packages');
    expect(rows).toEqual([
      {
        name: '@vue/cli',
        version: '5.0.8',
        description: null,
        author: 'Evan You <yyx990803@gmail.com>',
        license: 'MIT',
        homepage: null,
        path: '/usr/lib/node_modules/@vue/cli/package.json',
        directory: '/usr/lib/node_modules',
        depth: 0,
      },
      {
        name: 'npm',
        version: '10.2.4',
        description: 'a package manager for JavaScript',
        author: 'GitHub Inc.',
        license: 'Artistic-2.0',
        homepage: 'https://docs.npmjs.com/',
        path: '/usr/lib/node_modules/npm/package.json',
        directory: '/usr/lib/node_modules',
        depth: 0,
      },
      {
        name: 'typescript',
        version: '5.4.5',
        description: null,
        author: null,
        license: 'Apache-2.0',
        homepage: null,
        path: '/usr/local/lib/node_modules/typescript/package.json',
        directory: '/usr/local/lib/node_modules',
        depth: 0,
      },
    ]);
    expect(warnings).toEqual(['/usr/local/lib/node_modules/badjson/package.json is not valid JSON']);
  });

  it('reads only the directory the query names', () => {
    const { rows } = collectFixture(npmPackages, 'npm_packages', {
      equals: { directory: ['/usr/local/lib/node_modules'] },
    });
    expect(rows.map((r) => r.name)).toEqual(['typescript']);
  });

  const npmJson = '/usr/lib/node_modules/npm/package.json';
  it.skipIf(!existsSync(npmJson))(
    'finds the globally installed npm on this machine (needs /usr/lib/node_modules/npm)',
    () => {
      const { rows } = collectAt(npmPackages, '/');
      const version = (JSON.parse(readFileSync(npmJson, 'utf8')) as { version: string }).version;
      expect(rows).toContainEqual(expect.objectContaining({ name: 'npm', version }));
    },
  );
});
