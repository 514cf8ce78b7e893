import { VigilError } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import type { DeviceFilter } from './ast.js';
import { parseDeviceFilter } from './parse.js';

const host = (value: string, position = 0): DeviceFilter => ({
  type: 'compare',
  field: { kind: 'column', name: 'hostname' },
  op: '=',
  value: { type: 'string', value },
  position,
});

describe('parseDeviceFilter: valid filters', () => {
  it('parses the example from the issue', () => {
    expect(parseDeviceFilter("os.platform = 'linux' AND tags CONTAINS 'prod'")).toEqual({
      type: 'and',
      operands: [
        {
          type: 'compare',
          field: { kind: 'column', name: 'os.platform' },
          op: '=',
          value: { type: 'string', value: 'linux' },
          position: 0,
        },
        { type: 'contains', collection: 'tags', value: 'prod', position: 26 },
      ],
    });
  });

  it('binds AND tighter than OR', () => {
    expect(parseDeviceFilter("hostname = 'a' OR hostname = 'b' AND hostname = 'c'")).toEqual({
      type: 'or',
      operands: [host('a'), { type: 'and', operands: [host('b', 18), host('c', 37)] }],
    });
  });

  it('lets parentheses override precedence', () => {
    expect(parseDeviceFilter("(hostname = 'a' OR hostname = 'b') AND hostname = 'c'")).toEqual({
      type: 'and',
      operands: [{ type: 'or', operands: [host('a', 1), host('b', 19)] }, host('c', 39)],
    });
  });

  it('flattens chains of the same operator', () => {
    const ast = parseDeviceFilter("hostname = 'a' or hostname = 'b' OR hostname = 'c'");
    expect(ast).toMatchObject({ type: 'or', operands: [host('a'), host('b', 18), host('c', 36)] });
  });

  it('applies NOT to the next operand only, and nests NOT', () => {
    expect(parseDeviceFilter("NOT hostname = 'a' AND not NOT (hostname = 'b')")).toEqual({
      type: 'and',
      operands: [
        { type: 'not', operand: host('a', 4) },
        { type: 'not', operand: { type: 'not', operand: host('b', 32) } },
      ],
    });
  });

  it('reads every comparison operator and numbers', () => {
    for (const op of ['=', '!=', '<', '<=', '>', '>='] as const) {
      expect(parseDeviceFilter(`facts.cpu.cores ${op} -2.5`)).toEqual({
        type: 'compare',
        field: { kind: 'fact', path: ['cpu', 'cores'] },
        op,
        value: { type: 'number', value: -2.5 },
        position: 0,
      });
    }
    expect(parseDeviceFilter('facts.n>=10')).toMatchObject({
      op: '>=',
      value: { type: 'number', value: 10 },
    });
  });

  it('reads IN and NOT IN lists', () => {
    expect(parseDeviceFilter("status IN ('online', 'lost')")).toEqual({
      type: 'in',
      field: { kind: 'column', name: 'status' },
      negated: false,
      values: [
        { type: 'string', value: 'online' },
        { type: 'string', value: 'lost' },
      ],
      position: 0,
    });
    expect(parseDeviceFilter('facts.x not in (1,2)')).toEqual({
      type: 'in',
      field: { kind: 'fact', path: ['x'] },
      negated: true,
      values: [
        { type: 'number', value: 1 },
        { type: 'number', value: 2 },
      ],
      position: 0,
    });
  });

  it('reads LIKE and NOT LIKE with escapes kept for the compiler', () => {
    expect(parseDeviceFilter("hostname LIKE 'web-%'")).toEqual({
      type: 'like',
      field: { kind: 'column', name: 'hostname' },
      negated: false,
      pattern: 'web-%',
      position: 0,
    });
    expect(parseDeviceFilter("ip NOT LIKE '10.0.0.\\_'")).toMatchObject({
      type: 'like',
      negated: true,
      pattern: '10.0.0.\\_',
    });
  });

  it("reads '' as an escaped quote inside strings", () => {
    expect(parseDeviceFilter("facts.note = 'it''s'")).toMatchObject({
      value: { type: 'string', value: "it's" },
    });
    expect(parseDeviceFilter("hostname = ''''")).toMatchObject({ value: { type: 'string', value: "'" } });
    expect(parseDeviceFilter("hostname = ''")).toMatchObject({ value: { type: 'string', value: '' } });
  });

  it('reads keywords and field names in any case but keeps fact keys as written', () => {
    expect(
      parseDeviceFilter(
        "Tags contains 'x' Or GROUPS Contains 'Y' aNd HOSTNAME Like 'a%' AND Facts.Kernel.Release = '6'",
      ),
    ).toEqual({
      type: 'or',
      operands: [
        { type: 'contains', collection: 'tags', value: 'x', position: 0 },
        {
          type: 'and',
          operands: [
            { type: 'contains', collection: 'groups', value: 'Y', position: 21 },
            {
              type: 'like',
              field: { kind: 'column', name: 'hostname' },
              negated: false,
              pattern: 'a%',
              position: 45,
            },
            {
              type: 'compare',
              field: { kind: 'fact', path: ['Kernel', 'Release'] },
              op: '=',
              value: { type: 'string', value: '6' },
              position: 68,
            },
          ],
        },
      ],
    });
  });

  it('knows every built-in field', () => {
    const fields = [
      'hostname',
      'os.platform',
      'os.name',
      'os.version',
      'os.kernel',
      'os.arch',
      'agent_version',
      'status',
      'mode',
      'ip',
    ];
    for (const name of fields) {
      expect(parseDeviceFilter(`${name} = 'x'`)).toMatchObject({ field: { kind: 'column', name } });
    }
  });

  it('normalizes timestamps to the stored form', () => {
    expect(parseDeviceFilter("last_seen_at > '2024-05-01T12:00:00+02:00'")).toMatchObject({
      field: { kind: 'column', name: 'last_seen_at' },
      value: { type: 'string', value: '2024-05-01T10:00:00.000Z' },
    });
    expect(parseDeviceFilter("enrolled_at < '2024-05-01'")).toMatchObject({
      value: { type: 'string', value: '2024-05-01' },
    });
    expect(parseDeviceFilter("enrolled_at IN ('2024-05-01 08:30')")).toMatchObject({
      values: [{ type: 'string', value: '2024-05-01T08:30:00.000Z' }],
    });
    expect(parseDeviceFilter("enrolled_at LIKE '2024-05%'")).toMatchObject({ pattern: '2024-05%' });
  });

  it('accepts the limits exactly', () => {
    const deep = `${'('.repeat(32)}hostname = 'a'${')'.repeat(32)}`;
    expect(parseDeviceFilter(deep)).toEqual(host('a', 32));
    const many = Array.from({ length: 64 }, (_, i) => `hostname = 'h${i}'`).join(' OR ');
    expect(parseDeviceFilter(many)).toMatchObject({ type: 'or' });
    expect((parseDeviceFilter(many) as { operands: unknown[] }).operands).toHaveLength(64);
    const long = `hostname = '${'a'.repeat(2048 - 13)}'`;
    expect(long).toHaveLength(2048);
    expect(parseDeviceFilter(long)).toMatchObject({ type: 'compare' });
  });
});

function errorOf(text: string): VigilError {
  try {
    parseDeviceFilter(text);
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error(`expected '${text}' to be rejected`);
}

const KNOWN =
  'hostname, os.platform, os.name, os.version, os.kernel, os.arch, agent_version, status, mode, ip, enrolled_at, last_seen_at, facts.<key>(.<key>)*, tags, groups';
const TIMESTAMP_HINT = "expected an ISO-8601 timestamp such as '2024-05-01' or '2024-05-01T12:00:00Z' for";

const ERRORS: Array<[string, string]> = [
  ['', "filter is empty: write a condition such as hostname = 'web-1'"],
  ['   ', "filter is empty: write a condition such as hostname = 'web-1'"],
  ['os.platform = ', "expected a value after '=' at position 14, found end of input"],
  ['os.platform = AND', "expected a value after '=' at position 14, found 'AND'"],
  ["hostname == 'a'", "expected a value after '=' at position 10, found '='"],
  ["os.platfrom = 'linux'", `unknown field 'os.platfrom' at position 0; known fields: ${KNOWN}`],
  ["hostname = 'a' AND plat = 'x'", `unknown field 'plat' at position 19; known fields: ${KNOWN}`],
  ["hostname = 'a", "unterminated string starting at position 11: add the closing '"],
  ["hostname = 'it''s", "unterminated string starting at position 11: add the closing '"],
  ['hostname = #', "unexpected character '#' at position 11"],
  ["hostname != 'a' AND !x", "unexpected character '!' at position 20"],
  [
    'hostname',
    "expected =, !=, <, <=, >, >=, IN, NOT IN, LIKE or NOT LIKE after 'hostname' at position 8, found end of input",
  ],
  [
    "hostname 'a'",
    "expected =, !=, <, <=, >, >=, IN, NOT IN, LIKE or NOT LIKE after 'hostname' at position 9, found 'a'",
  ],
  ["(hostname = 'a'", "expected ')' to close the '(' at position 0, found end of input at position 15"],
  [
    "(hostname = 'a' hostname",
    "expected ')' to close the '(' at position 0, found 'hostname' at position 16",
  ],
  ["hostname = 'a')", "expected AND, OR or end of input at position 14, found ')' (no matching '(')"],
  ["hostname = 'a' 'b'", "expected AND, OR or end of input at position 15, found 'b'"],
  ["hostname = 'a' AND", "expected a field, NOT or '(' at position 18, found end of input"],
  ["hostname = 'a' OR OR", "expected a field, NOT or '(' at position 18, found 'OR'"],
  ["AND hostname = 'a'", "expected a field, NOT or '(' at position 0, found 'AND'"],
  ['NOT', "expected a field, NOT or '(' at position 3, found end of input"],
  ['()', "expected a field, NOT or '(' at position 1, found ')'"],
  [
    "tags = 'x'",
    "expected CONTAINS after 'tags' at position 5, found '='; tags only supports tags CONTAINS 'name'",
  ],
  ['tags CONTAINS 5', "expected a quoted string after 'CONTAINS' at position 14, found '5'"],
  ['groups CONTAINS', "expected a quoted string after 'CONTAINS' at position 15, found end of input"],
  [
    "hostname CONTAINS 'x'",
    "CONTAINS at position 9 only applies to tags and groups; for 'hostname' use LIKE '%text%'",
  ],
  ["status IN 'a'", "expected '(' after 'IN' at position 10, found 'a'"],
  ['status IN ()', "expected a value after 'IN (' at position 11, found ')'"],
  ["status IN ('a' 'b')", "expected ',' or ')' in the IN list at position 15, found 'b'"],
  ["status IN ('a',)", "expected a value after ',' at position 15, found ')'"],
  [
    "facts.x IN (1, 'a')",
    'IN list mixes strings and numbers at position 15: use one type (quote numbers to compare them as text)',
  ],
  ["hostname NOT = 'a'", "expected IN or LIKE after NOT at position 13, found '='"],
  ['hostname LIKE 5', "expected a quoted pattern after 'LIKE' at position 14, found '5'"],
  [
    "hostname LIKE 'it''s\\x'",
    'invalid LIKE pattern: the backslash at position 20 must be followed by %, _ or \\ (write \\\\ for a literal backslash)',
  ],
  [
    "hostname NOT LIKE 'x\\'",
    'invalid LIKE pattern: the backslash at position 20 must be followed by %, _ or \\ (write \\\\ for a literal backslash)',
  ],
  [
    'facts = 1',
    "field 'facts' at position 0 needs keys of letters, digits or _ after 'facts.', e.g. facts.kernel.release",
  ],
  [
    'facts..a = 1',
    "field 'facts..a' at position 0 needs keys of letters, digits or _ after 'facts.', e.g. facts.kernel.release",
  ],
  [
    'facts.a. = 1',
    "field 'facts.a.' at position 0 needs keys of letters, digits or _ after 'facts.', e.g. facts.kernel.release",
  ],
  ['facts.a-b = 1', "unexpected character '-' at position 7"],
  [
    `facts.${Array.from({ length: 17 }, (_, i) => `k${i}`).join('.')} = 1`,
    `field 'facts.${Array.from({ length: 17 }, (_, i) => `k${i}`).join('.')}' at position 0 has more than 16 keys`,
  ],
  [
    'facts.x = 1.',
    "invalid number '1.' at position 10: write digits with an optional fraction, e.g. 4 or -2.5",
  ],
  [
    'facts.x = 1.2.3',
    "invalid number '1.2.3' at position 10: write digits with an optional fraction, e.g. 4 or -2.5",
  ],
  [
    'facts.x = 12abc',
    "invalid number '12abc' at position 10: write digits with an optional fraction, e.g. 4 or -2.5",
  ],
  ['last_seen_at > 5', `${TIMESTAMP_HINT} last_seen_at at position 15, found '5'`],
  ["last_seen_at > 'yesterday'", `${TIMESTAMP_HINT} last_seen_at at position 15, found 'yesterday'`],
  ["enrolled_at = '2024-02-30'", `${TIMESTAMP_HINT} enrolled_at at position 14, found '2024-02-30'`],
  [
    "enrolled_at IN ('2024-01-01', '2024-01-01T25:00')",
    `${TIMESTAMP_HINT} enrolled_at at position 30, found '2024-01-01T25:00'`,
  ],
  [`hostname = '${'a'.repeat(50)}' 'b'`, "expected AND, OR or end of input at position 64, found 'b'"],
  [
    `hostname = '${'a'.repeat(50)}' AND ip '${'b'.repeat(50)}'`,
    `expected =, !=, <, <=, >, >=, IN, NOT IN, LIKE or NOT LIKE after 'ip' at position 71, found '${'b'.repeat(39)}…`,
  ],
  ['x'.repeat(2049), 'filter is too long: 2049 characters, at most 2048'],
  [
    `${'('.repeat(33)}hostname = 'a'${')'.repeat(33)}`,
    'filter nests too deeply at position 32: at most 32 levels of parentheses and NOT',
  ],
  [
    `${'NOT '.repeat(33)}hostname = 'a'`,
    'filter nests too deeply at position 128: at most 32 levels of parentheses and NOT',
  ],
  [
    Array.from({ length: 65 }, (_, i) => `hostname = 'h${i}'`).join(' OR '),
    'filter has too many conditions: the one at position 1270 is number 65, at most 64 are allowed',
  ],
];

describe('parseDeviceFilter: errors', () => {
  it.each(ERRORS)('rejects %j', (text, message) => {
    const error = errorOf(text);
    expect(error.code).toBe('E_INVALID_FILTER');
    expect(error.status).toBe(400);
    expect(error.message).toBe(message);
  });

  it('rejects a filter that is not a string', () => {
    expect(errorOf(42 as unknown as string).message).toBe('filter must be a string');
  });
});
