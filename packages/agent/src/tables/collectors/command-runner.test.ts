import { describe, expect, it } from 'vitest';
import { testContext } from '../test-context.js';
import { findProgram, runHostCommand } from './command-runner.js';

describe('command runner', () => {
  it('finds programs only in the system directories', () => {
    expect(findProgram('sh')).toMatch(/^\/(usr\/)?bin\/sh$/);
    expect(findProgram('no-such-program-vigil')).toBeNull();
  });

  it('runs a real program with an argument array and returns its output', () => {
    const { ctx, warnings } = testContext('/');
    expect(runHostCommand(ctx, 'echo', ['a b', '$HOME'])).toBe('a b $HOME\n');
    expect(warnings).toEqual([]);
  });

  it('reports a failing program as a warning, not an exception', () => {
    const { ctx, warnings } = testContext('/');
    expect(runHostCommand(ctx, 'ls', ['/no/such/dir/vigil'])).toBeNull();
    expect(warnings[0]).toMatch(/^ls failed: .*No such file/);
  });

  it('refuses to run for a fixture root', () => {
    const { ctx, warnings } = testContext('/tmp');
    expect(runHostCommand(ctx, 'echo', ['x'])).toBeNull();
    expect(warnings[0]).toMatch(/reads the live host only/);
  });
});
