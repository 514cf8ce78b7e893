/** A recursive-descent parser from device-filter text to a typed syntax tree. */
import { VigilError } from '@vigil/protocol';
import {
  COLUMN_FIELDS,
  type ColumnFieldName,
  type DeviceFilter,
  type FieldRef,
  type Literal,
} from './ast.js';
import { likeParts } from './like-pattern.js';
import { normalizeTimestamp } from './timestamp-literal.js';
import { type Token, tokenize } from './tokenize.js';

/** The longest filter accepted, in characters. */
export const MAX_FILTER_LENGTH = 2048;
/** The deepest nesting of parentheses and NOT accepted. */
export const MAX_FILTER_DEPTH = 32;
/** The most predicates one filter may hold. */
export const MAX_FILTER_PREDICATES = 64;
/** The most keys a `facts.` path may have. */
export const MAX_FACT_PATH = 16;

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'LIKE', 'CONTAINS']);
const FACT_KEY = /^[A-Za-z0-9_]+$/;
const KNOWN_FIELDS = [...Object.keys(COLUMN_FIELDS), 'facts.<key>(.<key>)*', 'tags', 'groups'].join(', ');
const COMPARISONS = '=, !=, <, <=, >, >=, IN, NOT IN, LIKE or NOT LIKE';

function fail(message: string): never {
  throw new VigilError('E_INVALID_FILTER', message);
}

function describe(t: Token): string {
  if (t.type === 'end') return 'end of input';
  const text = t.text.length > 40 ? `${t.text.slice(0, 40)}…` : t.text;
  return t.type === 'string' ? text : `'${text}'`;
}

/** Where the character at `index` of a string token's value sits in the filter text. */
function sourcePosition(t: Token, index: number): number {
  let source = t.position + 1;
  for (let i = 0; i < index; i++) source += t.text[source - t.position] === "'" ? 2 : 1;
  return source;
}

function isKeyword(t: Token, word?: string): boolean {
  if (t.type !== 'word') return false;
  const upper = t.text.toUpperCase();
  return word === undefined ? KEYWORDS.has(upper) : upper === word;
}

class Parser {
  private index = 0;
  private depth = 0;
  private predicates = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.index] as Token;
  }

  private next(): Token {
    const t = this.peek();
    if (t.type !== 'end') this.index++;
    return t;
  }

  parseFilter(): DeviceFilter {
    if (this.peek().type === 'end') fail("filter is empty: write a condition such as hostname = 'web-1'");
    const filter = this.parseOr();
    const rest = this.peek();
    if (rest.type !== 'end') {
      const hint = rest.type === ')' ? " (no matching '(')" : '';
      fail(`expected AND, OR or end of input at position ${rest.position}, found ${describe(rest)}${hint}`);
    }
    return filter;
  }

  private parseOr(): DeviceFilter {
    const operands = [this.parseAnd()];
    while (isKeyword(this.peek(), 'OR')) {
      this.next();
      operands.push(this.parseAnd());
    }
    return operands.length === 1 ? (operands[0] as DeviceFilter) : { type: 'or', operands };
  }

  private parseAnd(): DeviceFilter {
    const operands = [this.parseNot()];
    while (isKeyword(this.peek(), 'AND')) {
      this.next();
      operands.push(this.parseNot());
    }
    return operands.length === 1 ? (operands[0] as DeviceFilter) : { type: 'and', operands };
  }

  private enter(t: Token): void {
    this.depth++;
    if (this.depth > MAX_FILTER_DEPTH) {
      fail(
        `filter nests too deeply at position ${t.position}: at most ${MAX_FILTER_DEPTH} levels of parentheses and NOT`,
      );
    }
  }

  private parseNot(): DeviceFilter {
    const t = this.peek();
    if (isKeyword(t, 'NOT')) {
      this.next();
      this.enter(t);
      const operand = this.parseNot();
      this.depth--;
      return { type: 'not', operand };
    }
    if (t.type === '(') {
      this.next();
      this.enter(t);
      const inner = this.parseOr();
      const close = this.next();
      if (close.type !== ')') {
        fail(
          `expected ')' to close the '(' at position ${t.position}, found ${describe(close)} at position ${close.position}`,
        );
      }
      this.depth--;
      return inner;
    }
    return this.parsePredicate();
  }

  private parsePredicate(): DeviceFilter {
    const t = this.next();
    if (t.type !== 'word' || isKeyword(t)) {
      fail(`expected a field, NOT or '(' at position ${t.position}, found ${describe(t)}`);
    }
    this.predicates++;
    if (this.predicates > MAX_FILTER_PREDICATES) {
      fail(
        `filter has too many conditions: the one at position ${t.position} is number ${this.predicates}, at most ${MAX_FILTER_PREDICATES} are allowed`,
      );
    }
    const name = t.text.toLowerCase();
    if (name === 'tags' || name === 'groups') return this.parseContains(t, name);
    const field = this.resolveField(t);
    const op = this.next();
    if (op.type === 'op') {
      return {
        type: 'compare',
        field,
        op: op.text,
        value: this.parseValue(field, `after '${op.text}'`),
        position: t.position,
      };
    }
    let negated = false;
    let keyword: Token = op;
    if (isKeyword(op, 'NOT')) {
      negated = true;
      keyword = this.next();
      if (!isKeyword(keyword, 'IN') && !isKeyword(keyword, 'LIKE')) {
        fail(`expected IN or LIKE after NOT at position ${keyword.position}, found ${describe(keyword)}`);
      }
    }
    if (isKeyword(keyword, 'IN'))
      return { type: 'in', field, negated, values: this.parseList(field), position: t.position };
    if (isKeyword(keyword, 'LIKE'))
      return { type: 'like', field, negated, pattern: this.parsePattern(keyword), position: t.position };
    if (isKeyword(keyword, 'CONTAINS')) {
      fail(
        `CONTAINS at position ${keyword.position} only applies to tags and groups; for '${t.text}' use LIKE '%text%'`,
      );
    }
    fail(`expected ${COMPARISONS} after '${t.text}' at position ${op.position}, found ${describe(op)}`);
  }

  private parseContains(t: Token, collection: 'tags' | 'groups'): DeviceFilter {
    const kw = this.next();
    if (!isKeyword(kw, 'CONTAINS')) {
      fail(
        `expected CONTAINS after '${t.text}' at position ${kw.position}, found ${describe(kw)}; ${collection} only supports ${collection} CONTAINS 'name'`,
      );
    }
    const v = this.next();
    if (v.type !== 'string')
      fail(`expected a quoted string after 'CONTAINS' at position ${v.position}, found ${describe(v)}`);
    return { type: 'contains', collection, value: v.value, position: t.position };
  }

  private resolveField(t: Token): FieldRef {
    const name = t.text.toLowerCase();
    if (Object.hasOwn(COLUMN_FIELDS, name)) return { kind: 'column', name: name as ColumnFieldName };
    if (name === 'facts' || name.startsWith('facts.')) {
      const path = t.text.slice('facts.'.length).split('.');
      if (name === 'facts' || path.some((key) => !FACT_KEY.test(key))) {
        fail(
          `field '${t.text}' at position ${t.position} needs keys of letters, digits or _ after 'facts.', e.g. facts.kernel.release`,
        );
      }
      if (path.length > MAX_FACT_PATH)
        fail(`field '${t.text}' at position ${t.position} has more than ${MAX_FACT_PATH} keys`);
      return { kind: 'fact', path };
    }
    fail(`unknown field '${t.text}' at position ${t.position}; known fields: ${KNOWN_FIELDS}`);
  }

  private parseValue(field: FieldRef, context: string): Literal {
    const v = this.next();
    if (v.type !== 'string' && v.type !== 'number')
      fail(`expected a value ${context} at position ${v.position}, found ${describe(v)}`);
    if (field.kind === 'column' && COLUMN_FIELDS[field.name].type === 'timestamp') {
      const stored = v.type === 'string' ? normalizeTimestamp(v.value) : undefined;
      if (stored === undefined) {
        fail(
          `expected an ISO-8601 timestamp such as '2024-05-01' or '2024-05-01T12:00:00Z' for ${field.name} at position ${v.position}, found ${describe(v)}`,
        );
      }
      return { type: 'string', value: stored };
    }
    return v.type === 'string' ? { type: 'string', value: v.value } : { type: 'number', value: v.value };
  }

  private parseList(field: FieldRef): Literal[] {
    const open = this.next();
    if (open.type !== '(')
      fail(`expected '(' after 'IN' at position ${open.position}, found ${describe(open)}`);
    const values: Literal[] = [];
    for (;;) {
      const at = this.peek();
      const value = this.parseValue(field, values.length === 0 ? "after 'IN ('" : "after ','");
      if (values.length > 0 && values[0]?.type !== value.type) {
        fail(
          `IN list mixes strings and numbers at position ${at.position}: use one type (quote numbers to compare them as text)`,
        );
      }
      values.push(value);
      const sep = this.next();
      if (sep.type === ')') return values;
      if (sep.type !== ',')
        fail(`expected ',' or ')' in the IN list at position ${sep.position}, found ${describe(sep)}`);
    }
  }

  private parsePattern(kw: Token): string {
    const v = this.next();
    if (v.type !== 'string')
      fail(`expected a quoted pattern after '${kw.text}' at position ${v.position}, found ${describe(v)}`);
    const parts = likeParts(v.value);
    if ('badEscapeAt' in parts) {
      fail(
        `invalid LIKE pattern: the backslash at position ${sourcePosition(v, parts.badEscapeAt)} must be followed by %, _ or \\ (write \\\\ for a literal backslash)`,
      );
    }
    return v.value;
  }
}

/** Parse a device filter; throws E_INVALID_FILTER saying what was expected and where. */
export function parseDeviceFilter(text: string): DeviceFilter {
  if (typeof text !== 'string') fail('filter must be a string');
  if (text.length > MAX_FILTER_LENGTH)
    fail(`filter is too long: ${text.length} characters, at most ${MAX_FILTER_LENGTH}`);
  return new Parser(tokenize(text)).parseFilter();
}
