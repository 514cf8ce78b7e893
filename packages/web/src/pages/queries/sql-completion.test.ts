import { describe, expect, it } from 'vitest';
import type { TableSchema } from '../../api/types.js';
import { accept, referencedTables, suggest, wordAt } from './sql-completion.js';

const schema: TableSchema = {
  tables: [
    {
      name: 'processes',
      description: 'Running processes',
      columns: [
        { name: 'pid', type: 'BIGINT', required: false },
        { name: 'name', type: 'TEXT', required: false },
        { name: 'path', type: 'TEXT', required: false },
      ],
    },
    {
      name: 'process_open_sockets',
      description: 'Sockets',
      columns: [{ name: 'pid', type: 'BIGINT', required: false }],
    },
    { name: 'file', description: 'Files', columns: [{ name: 'path', type: 'TEXT', required: true }] },
  ],
};

const at = (sqlWithCaret: string) => {
  const caret = sqlWithCaret.indexOf('|');
  return { sql: sqlWithCaret.replace('|', ''), caret };
};
const labels = (text: string) => {
  const { sql, caret } = at(text);
  return suggest(schema, sql, caret).map((s) => s.label);
};

describe('SQL completion', () => {
  it('finds the word and its qualifier at the caret', () => {
    const { sql, caret } = at('SELECT p.na| FROM processes p');
    expect(wordAt(sql, caret)).toMatchObject({ prefix: 'na', qualifier: 'p', start: 9 });
  });

  it('offers tables after FROM and JOIN, by prefix', () => {
    expect(labels('SELECT * FROM proc|')).toEqual(['processes', 'process_open_sockets']);
    expect(labels('SELECT * FROM processes JOIN f|')).toEqual(['file']);
    expect(labels('SELECT * FROM |')).toEqual(['processes', 'process_open_sockets', 'file']);
  });

  it('offers the columns of the tables in the query, then tables', () => {
    expect(labels('SELECT pa| FROM processes')).toEqual(['path']);
    expect(labels('SELECT p| FROM processes')).toEqual(['pid', 'path', 'processes', 'process_open_sockets']);
    expect(labels('SELECT p| FROM file')).toEqual(['path', 'processes', 'process_open_sockets']);
  });

  it('resolves aliases after a dot and marks required columns', () => {
    expect(labels('SELECT s.| FROM processes p JOIN process_open_sockets AS s USING (pid)')).toEqual(['pid']);
    expect(labels('SELECT x.| FROM processes p')).toEqual([]);
    const { sql, caret } = at('SELECT f.| FROM file f');
    expect(suggest(schema, sql, caret)[0]?.detail).toContain('required');
    expect(referencedTables('select * from file f where 1', new Set(['file']))).toEqual(
      new Map([
        ['file', 'file'],
        ['f', 'file'],
      ]),
    );
  });

  it('replaces only the word at the caret when a suggestion is accepted', () => {
    const { sql, caret } = at('SELECT p.na| FROM processes p');
    const [first] = suggest(schema, sql, caret);
    expect(accept(sql, caret, first!)).toEqual({ sql: 'SELECT p.name FROM processes p', caret: 13 });
  });
});
