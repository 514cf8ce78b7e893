import { describe, expect, it } from 'vitest';
import { formatDetails, formatJson, formatTable, shortTime } from './output.js';

describe('formatTable', () => {
  it('upper-cases headers, pads columns to the widest cell and trims line ends', () => {
    const text = formatTable(
      ['id', 'hostname', 'tags'],
      [
        ['a1', 'web-1', ['linux', 'prod']],
        ['b22', 'database-primary', []],
      ],
    );
    expect(text).toBe(
      [
        'ID   HOSTNAME          TAGS',
        'a1   web-1             linux,prod',
        'b22  database-primary  -',
        '',
      ].join('\n'),
    );
  });

  it('prints missing values as a dash and flattens line breaks inside cells', () => {
    expect(formatTable(['a', 'b', 'c'], [[null, undefined, 'x\ny']])).toBe('A  B  C\n-  -  x y\n');
  });
});

describe('formatDetails', () => {
  it('aligns values after their labels', () => {
    expect(
      formatDetails([
        ['ID', 'x'],
        ['Hostname', 'web-1'],
        ['IP', null],
      ]),
    ).toBe('ID:       x\nHostname: web-1\nIP:       -\n');
  });
});

describe('formatJson and shortTime', () => {
  it('pretty-prints JSON with a final newline', () => {
    expect(formatJson({ a: [1] })).toBe('{\n  "a": [\n    1\n  ]\n}\n');
  });

  it('shortens ISO times to the second and keeps null', () => {
    expect(shortTime('2025-03-04T05:06:07.891Z')).toBe('2025-03-04 05:06:07Z');
    expect(shortTime(null)).toBeNull();
  });
});
