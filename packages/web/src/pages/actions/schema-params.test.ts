import { describe, expect, it } from 'vitest';
import { type ParamsSchema, toParams } from './schema-params.js';

const schema: ParamsSchema = {
  properties: {
    pid: { type: 'integer' },
    ratio: { type: 'number' },
    name: { type: 'string' },
    force: { type: 'boolean' },
    signal: { enum: ['KILL', 'TERM'] },
    packages: { type: 'array', items: { type: 'string' } },
  },
};

describe('action parameters from form values', () => {
  it('parses numbers, booleans and comma-separated lists, and keeps strings and enums as typed', () => {
    expect(
      toParams(schema, {
        pid: '42',
        ratio: '0.5',
        name: 'xmrig*',
        force: true,
        signal: 'TERM',
        packages: ' curl, wget ,,',
      }),
    ).toEqual({
      pid: 42,
      ratio: 0.5,
      name: 'xmrig*',
      force: true,
      signal: 'TERM',
      packages: ['curl', 'wget'],
    });
  });

  it('leaves out empty fields and values for parameters the schema does not have', () => {
    expect(toParams(schema, { pid: '', name: '', force: false, unknown: 'x' })).toEqual({ force: false });
  });
});
