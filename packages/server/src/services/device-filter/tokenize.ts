/** Split device-filter text into tokens, each with the character position it starts at. */
import { VigilError } from '@vigil/protocol';

/** One token of a filter. `text` is the source text; `value` the decoded string or number. */
export type Token =
  | { type: 'word'; text: string; position: number }
  | { type: 'string'; text: string; value: string; position: number }
  | { type: 'number'; text: string; value: number; position: number }
  | { type: 'op'; text: '=' | '!=' | '<' | '<=' | '>' | '>='; position: number }
  | { type: '(' | ')' | ','; text: string; position: number }
  | { type: 'end'; text: ''; position: number };

const WORD_START = /[A-Za-z_]/;
const WORD_PART = /[A-Za-z0-9_.]/;
const NUMBER_PART = /[A-Za-z0-9_.]/;
const NUMBER = /^-?[0-9]+(\.[0-9]+)?$/;

function fail(message: string): never {
  throw new VigilError('E_INVALID_FILTER', message);
}

/** Tokenize a filter; throws E_INVALID_FILTER on an unterminated string or a stray character. */
export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= input.length) fail(`unterminated string starting at position ${start}: add the closing '`);
        const ch = input[i] as string;
        if (ch === "'") {
          // Two quotes in a row are one literal quote, as in SQL.
          if (input[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += ch;
        i++;
      }
      tokens.push({ type: 'string', text: input.slice(start, i), value, position: start });
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(input[i + 1] ?? ''))) {
      i++;
      while (i < input.length && NUMBER_PART.test(input[i] as string)) i++;
      const text = input.slice(start, i);
      if (!NUMBER.test(text))
        fail(
          `invalid number '${text}' at position ${start}: write digits with an optional fraction, e.g. 4 or -2.5`,
        );
      tokens.push({ type: 'number', text, value: Number(text), position: start });
    } else if (WORD_START.test(c)) {
      while (i < input.length && WORD_PART.test(input[i] as string)) i++;
      tokens.push({ type: 'word', text: input.slice(start, i), position: start });
    } else if (c === '(' || c === ')' || c === ',') {
      i++;
      tokens.push({ type: c, text: c, position: start });
    } else if (c === '=') {
      i++;
      tokens.push({ type: 'op', text: '=', position: start });
    } else if (c === '!' && input[i + 1] === '=') {
      i += 2;
      tokens.push({ type: 'op', text: '!=', position: start });
    } else if (c === '<' || c === '>') {
      const withEq = input[i + 1] === '=';
      i += withEq ? 2 : 1;
      const text = c === '<' ? (withEq ? '<=' : '<') : withEq ? '>=' : '>';
      tokens.push({ type: 'op', text, position: start });
    } else {
      fail(`unexpected character '${c}' at position ${start}`);
    }
  }
  tokens.push({ type: 'end', text: '', position: input.length });
  return tokens;
}
