import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dockerContainers } from './docker-containers.js';
import { collectAt, collectFixture } from './test-collect.js';

describe('docker_containers', () => {
  it('says the socket is missing when there is none', () => {
    const { rows, warnings } = collectFixture(dockerContainers, 'docker_containers/absent');
    expect(rows).toEqual([]);
    expect(warnings).toEqual(['docker socket not present (/var/run/docker.sock)']);
  });

  it('says the API is not supported synchronously when a socket exists', () => {
    const { rows, warnings } = collectFixture(dockerContainers, 'docker_containers/present');
    expect(rows).toEqual([]);
    expect(warnings[0]).toMatch(/not supported synchronously/);
  });

  it('explains on this machine why the table is empty', () => {
    const { rows, warnings } = collectAt(dockerContainers, '/');
    expect(rows).toEqual([]);
    expect(warnings[0]).toMatch(
      existsSync('/var/run/docker.sock') ? /not supported synchronously/ : /not present/,
    );
  });
});
