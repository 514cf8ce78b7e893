/** Reading secrets: from stdin for scripts, or typed at a terminal with echo off. */
import { createInterface } from 'node:readline';
import { VigilError } from '@vigil/protocol';
import type { Stdin } from './context.js';

/** All of stdin as text, without the final line break (`echo pw | vigil login --password-stdin`). */
export async function readStdin(stdin: Stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Ask for one line of text on a terminal; refuses when stdin is not a terminal. */
export async function promptLine(stdin: Stdin, question: string, flag: string): Promise<string> {
  if (!stdin.isTTY) throw new VigilError('E_USAGE', `${flag} is required when stdin is not a terminal`);
  const rl = createInterface({ input: stdin, output: process.stderr, terminal: true });
  try {
    return (await new Promise<string>((resolve) => rl.question(question, resolve))).trim();
  } finally {
    rl.close();
  }
}

/** Ask for a secret on a terminal without echoing it; refuses when stdin is not a terminal. */
export async function promptHidden(
  stdin: Stdin,
  question: string,
  writeErr: (s: string) => void,
  flag: string,
): Promise<string> {
  if (!stdin.isTTY || !stdin.setRawMode)
    throw new VigilError('E_USAGE', `${flag} is required when stdin is not a terminal`);
  writeErr(question);
  stdin.setRawMode(true);
  stdin.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let value = '';
      const onData = (data: Buffer | string) => {
        for (const ch of data.toString('utf8')) {
          if (ch === '\r' || ch === '\n' || ch === '\u0004') {
            stdin.removeListener('data', onData);
            writeErr('\n');
            resolve(value);
            return;
          }
          if (ch === '\u0003') {
            stdin.removeListener('data', onData);
            writeErr('\n');
            reject(new VigilError('E_USAGE', 'cancelled'));
            return;
          }
          if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
          else value += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
  }
}

/** A secret from `--password-stdin` when set, else typed at the terminal. */
export async function readSecret(
  stdin: Stdin,
  fromStdin: boolean | undefined,
  question: string,
  writeErr: (s: string) => void,
): Promise<string> {
  const value = fromStdin
    ? await readStdin(stdin)
    : await promptHidden(stdin, question, writeErr, '--password-stdin');
  if (value === '') throw new VigilError('E_VALIDATION', 'the password is empty');
  return value;
}
