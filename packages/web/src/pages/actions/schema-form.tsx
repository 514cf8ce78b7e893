/**
 * Form fields generated from an action's parameter JSON Schema: strings, numbers, integers,
 * booleans, enums and string lists, with the schema's limits as input attributes and its
 * descriptions as help. The server validates the whole schema (oneOf and all); this only helps.
 */
import { useId } from 'react';
import type { FormValues, ParamSchema, ParamsSchema } from './schema-params.js';

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
