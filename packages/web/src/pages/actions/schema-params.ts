/** Parameter schemas of an action (a JSON Schema subset) and how typed form values become parameters. */

/** The JSON Schema subset a parameter uses. */
export interface ParamSchema {
  type?: string;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  items?: { type?: string };
}

/** An object schema of parameters. */
export interface ParamsSchema {
  properties: Record<string, unknown>;
  required?: string[];
}

/** Values as typed (strings), keyed by parameter. */
export type FormValues = Record<string, string | boolean>;

/** Turn typed values into parameters: empty fields are left out, numbers and lists are parsed. */
export function toParams(schema: ParamsSchema, values: FormValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(schema.properties)) {
    const p = raw as ParamSchema;
    const v = values[name];
    if (v === undefined || v === '') continue;
    if (p.type === 'boolean') out[name] = v === true;
    else if (p.type === 'integer' || p.type === 'number') out[name] = Number(v);
    else if (p.type === 'array')
      out[name] = String(v)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else out[name] = v;
  }
  return out;
}
