/** A lexical token of an SQLite statement, with its place in the source text. */
export interface Token {
  kind: 'ident' | 'string' | 'number' | 'op' | 'param' | 'blob';
  /** For identifiers: the unquoted name; for strings: the unescaped value; else the source text. */
  value: string;
  /** Whether an identifier was quoted ("x", `x`, [x]); a quoted name is never a keyword. */
  quoted: boolean;
  start: number;
  end: number;
}

const OPERATORS = ['||', '<<', '>>', '<=', '>=', '==', '!=', '<>', '->>', '->'];

function isIdentStart(ch: string): boolean {
  return /[A-Za-z_\u0080-\uffff]/.test(ch);
}

function isIdentPart(ch: string): boolean {
  return /[A-Za-z0-9_$\u0080-\uffff]/.test(ch);
}

function readQuoted(sql: string, start: number, close: string): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < sql.length) {
    const ch = sql[i] as string;
    if (ch === close) {
      if (close !== ']' && sql[i + 1] === close) {
        value += close;
        i += 2;
        continue;
      }
      return { value, end: i + 1 };
    }
    value += ch;
    i += 1;
  }
  return { value, end: sql.length };
}

/**
 * Splits SQL into tokens, dropping whitespace and comments. It is lenient on purpose: SQLite
 * itself reports syntax errors; this only feeds the read-only check and the constraint pre-pass.
 */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: Token['kind'], value: string, start: number, end: number, quoted = false) =>
    tokens.push({ kind, value, quoted, start, end });
  while (i < sql.length) {
    const ch = sql[i] as string;
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl === -1 ? sql.length : nl + 1;
    } else if (ch === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close === -1 ? sql.length : close + 2;
    } else if (ch === "'") {
      const q = readQuoted(sql, i, "'");
      push('string', q.value, i, q.end);
      i = q.end;
    } else if (ch === '"' || ch === '`' || ch === '[') {
      const q = readQuoted(sql, i, ch === '[' ? ']' : ch);
      push('ident', q.value, i, q.end, true);
      i = q.end;
    } else if ((ch === 'x' || ch === 'X') && sql[i + 1] === "'") {
      const q = readQuoted(sql, i + 1, "'");
      push('blob', sql.slice(i, q.end), i, q.end);
      i = q.end;
    } else if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const m = /^(0x[0-9a-fA-F_]+|[0-9_]*\.?[0-9_]*(?:[eE][+-]?[0-9]+)?)/.exec(sql.slice(i));
      const text = m?.[0] || ch;
      push('number', text, i, i + text.length);
      i += text.length;
    } else if (isIdentStart(ch)) {
      let j = i + 1;
      while (j < sql.length && isIdentPart(sql[j] as string)) j += 1;
      push('ident', sql.slice(i, j), i, j);
      i = j;
    } else if (ch === '?' || ch === ':' || ch === '@' || ch === '$') {
      let j = i + 1;
      while (j < sql.length && isIdentPart(sql[j] as string)) j += 1;
      push('param', sql.slice(i, j), i, j);
      i = j;
    } else {
      const op = OPERATORS.find((o) => sql.startsWith(o, i)) ?? ch;
      push('op', op, i, i + op.length);
      i += op.length;
    }
  }
  return tokens;
}

/** Whether a token is the given bare keyword (case-insensitive). */
export function isKeyword(token: Token | undefined, ...words: string[]): boolean {
  return (
    token !== undefined &&
    token.kind === 'ident' &&
    !token.quoted &&
    words.includes(token.value.toUpperCase())
  );
}

/** Whether a token is the given operator or punctuation. */
export function isOp(token: Token | undefined, ...ops: string[]): boolean {
  return token !== undefined && token.kind === 'op' && ops.includes(token.value);
}
