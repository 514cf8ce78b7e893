/**
 * Form fields generated from an action's parameter JSON Schema: strings, numbers, integers,
 * booleans, enums and string lists, with the schema's limits as input attributes and its
 * descriptions as help. The server validates the whole schema (oneOf and all); this only helps.
 */
import { useId } from 'react';

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

function Field({
  name,
  schema,
  required,
  value,
  onChange,
}: {
  name: string;
  schema: ParamSchema;
  required: boolean;
  value: string | boolean | undefined;
  onChange: (v: string | boolean) => void;
}) {
  const id = useId();
  const help = schema.description ? <span className="muted small">{schema.description}</span> : null;
  const label = (
    <>
      <code>{name}</code>
      {required ? ' (required)' : ''}
    </>
  );
  if (schema.type === 'boolean')
    return (
      <label className="radio" htmlFor={id}>
        <input
          id={id}
          type="checkbox"
          checked={value === true}
          onChange={(e) => onChange(e.target.checked)}
        />{' '}
        {label} {help}
      </label>
    );
  if (schema.enum)
    return (
      <label htmlFor={id}>
        {label} {help}
        <select
          id={id}
          required={required}
          value={String(value ?? '')}
          onChange={(e) => onChange(e.target.value)}
        >
          <option value="">
            {schema.default !== undefined ? `default (${String(schema.default)})` : '—'}
          </option>
          {schema.enum.map((o) => (
            <option key={String(o)}>{String(o)}</option>
          ))}
        </select>
      </label>
    );
  const numeric = schema.type === 'integer' || schema.type === 'number';
  return (
    <label htmlFor={id}>
      {label} {help}
      <input
        id={id}
        type={numeric ? 'number' : 'text'}
        required={required}
        value={String(value ?? '')}
        onChange={(e) => onChange(e.target.value)}
        placeholder={
          schema.type === 'array'
            ? 'comma-separated'
            : schema.default !== undefined
              ? `default ${String(schema.default)}`
              : ''
        }
        {...(numeric
          ? {
              ...(schema.minimum !== undefined ? { min: schema.minimum } : {}),
              ...(schema.maximum !== undefined ? { max: schema.maximum } : {}),
              step: schema.type === 'integer' ? 1 : 'any',
            }
          : {
              ...(schema.maxLength !== undefined ? { maxLength: schema.maxLength } : {}),
              ...(schema.minLength !== undefined ? { minLength: schema.minLength } : {}),
              ...(schema.pattern ? { pattern: schema.pattern } : {}),
            })}
      />
    </label>
  );
}

export function SchemaForm({
  schema,
  values,
  onChange,
}: {
  schema: ParamsSchema;
  values: FormValues;
  onChange: (v: FormValues) => void;
}) {
  const names = Object.keys(schema.properties);
  if (names.length === 0) return <p className="muted">This action takes no parameters.</p>;
  return (
    <fieldset>
      <legend>Parameters</legend>
      {names.map((n) => (
        <Field
          key={n}
          name={n}
          schema={schema.properties[n] as ParamSchema}
          required={(schema.required ?? []).includes(n)}
          value={values[n]}
          onChange={(v) => onChange({ ...values, [n]: v })}
        />
      ))}
    </fieldset>
  );
}
