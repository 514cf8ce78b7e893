/**
 * A SQL textarea with table and column completion: suggestions appear as you type (Ctrl+Space
 * asks for them), ↑/↓ choose, Tab or Enter accept, Escape closes; Ctrl+Enter runs the query.
 */
import { type KeyboardEvent, useId, useRef, useState } from 'react';
import { accept, type Suggestion, suggest } from './sql-completion.js';
import { useTableSchema } from './use-table-schema.js';

export function SqlEditor({
  value,
  onChange,
  onRun,
  label = 'SQL',
}: {
  value: string;
  onChange: (sql: string) => void;
  onRun?: () => void;
  label?: string;
}) {
  const schema = useTableSchema();
  const id = useId();
  const area = useRef<HTMLTextAreaElement>(null);
  const [items, setItems] = useState<Suggestion[]>([]);
  const [active, setActive] = useState(0);

  const refresh = (sql: string, caret: number) => {
    setItems(schema ? suggest(schema, sql, caret) : []);
    setActive(0);
  };
  const choose = (s: Suggestion) => {
    const el = area.current;
    if (!el) return;
    const r = accept(value, el.selectionStart, s);
    onChange(r.sql);
    setItems([]);
    requestAnimationFrame(() => el.setSelectionRange(r.caret, r.caret));
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      setItems([]);
      onRun?.();
      return;
    }
    if (e.key === ' ' && e.ctrlKey) {
      e.preventDefault();
      refresh(value, e.currentTarget.selectionStart);
      return;
    }
    if (items.length === 0) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length);
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      e.preventDefault();
      choose(items[active] as Suggestion);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      setItems([]);
    }
  };
  const open = items.length > 0;
  return (
    <div className="sql-editor">
      <label htmlFor={`${id}-sql`}>{label}</label>
      <textarea
        id={`${id}-sql`}
        ref={area}
        className="sql"
        rows={6}
        spellCheck={false}
        autoComplete="off"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={`${id}-list`}
        aria-activedescendant={open ? `${id}-opt-${active}` : undefined}
        aria-describedby={`${id}-help`}
        value={value}
        onChange={(e) => {
          onChange(e.target.value);
          refresh(e.target.value, e.target.selectionStart);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setItems([])}
      />
      <p id={`${id}-help`} className="muted small">
        {schema ? `${schema.tables.length} tables.` : ''} Completion: type, or Ctrl+Space; ↑/↓ and Tab to
        pick. Ctrl+Enter runs.
      </p>
      <div id={`${id}-list`} role="listbox" aria-label="Suggestions" className="suggestions" hidden={!open}>
        {items.map((s, i) => (
          <div
            key={`${s.kind}:${s.label}`}
            tabIndex={-1}
            id={`${id}-opt-${i}`}
            role="option"
            aria-selected={i === active}
            className={i === active ? 'active' : undefined}
            onMouseDown={(e) => {
              e.preventDefault();
              choose(s);
            }}
          >
            <span className={`kind kind-${s.kind}`}>{s.kind === 'table' ? 'T' : 'C'}</span> {s.label}{' '}
            <span className="muted small">{s.detail}</span>
          </div>
        ))}
      </div>
    </div>
  );
}
