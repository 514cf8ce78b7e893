import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Stdin } from './context.js';
import { promptHidden, readSecret, readStdin } from './prompt.js';

function fakeTerminal(): { stdin: Stdin & PassThrough; rawModes: boolean[] } {
  const rawModes: boolean[] = [];
  const stdin = Object.assign(new PassThrough(), {
    isTTY: true,
    setRawMode: (mode: boolean) => rawModes.push(mode),
  });
  return { stdin, rawModes };
}

describe('readStdin', () => {
  it('drops only the final line break', async () => {
    expect(await readStdin(Readable.from(['pass word\n']))).toBe('pass word');
    expect(await readStdin(Readable.from(['a\r\n']))).toBe('a');
    expect(await readStdin(Readable.from(['a\n\n']))).toBe('a\n');
  });

  it('refuses an empty secret', async () => {
    await expect(readSecret(Readable.from(['\n']), true, '', () => undefined)).rejects.toMatchObject({
      code: 'E_VALIDATION',
    });
  });
});

describe('promptHidden', () => {
  it('reads a line in raw mode without echoing it, honouring backspace', async () => {
    const { stdin, rawModes } = fakeTerminal();
    let written = '';
    const answer = promptHidden(
      stdin,
      'Password: ',
      (s) => {
        written += s;
      },
      '--password-stdin',
    );
    stdin.write('secrx\u007ft');
    stdin.write('\r');
    expect(await answer).toBe('secrt');
    expect(written).toBe('Password: \n');
    expect(rawModes).toEqual([true, false]);
  });

  it('cancels on Ctrl-C', async () => {
    const { stdin } = fakeTerminal();
    const answer = promptHidden(stdin, 'Password: ', () => undefined, '--password-stdin');
    stdin.write('\u0003');
    await expect(answer).rejects.toMatchObject({ code: 'E_USAGE', message: 'cancelled' });
  });

  it('refuses when stdin is not a terminal', async () => {
    await expect(
      promptHidden(Readable.from(['x']), 'Password: ', () => undefined, '--password-stdin'),
    ).rejects.toThrow('--password-stdin is required when stdin is not a terminal');
  });
});
