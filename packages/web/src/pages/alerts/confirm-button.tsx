/** A destructive button that asks once more, in words, before it acts (delete a route, a rule…). */
import { type ReactNode, useState } from 'react';

export function ConfirmButton({
  label,
  text = 'Delete',
  question,
  confirmLabel,
  onConfirm,
  disabled,
}: {
  /** The button's accessible name, e.g. "Delete route ops-hook" (it starts with the visible text). */
  label: string;
  /** The visible text, e.g. "Delete". */
  text?: string;
  question: ReactNode;
  confirmLabel: string;
  onConfirm: () => void | Promise<void>;
  disabled?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button
        type="button"
        className="danger"
        aria-label={label}
        disabled={disabled}
        onClick={() => setAsking(true)}
      >
        {text}
      </button>
    );
  return (
    <fieldset className="confirm">
      <legend className="sr-only">Confirm: {label}</legend>
      {question}{' '}
      <button
        type="button"
        className="danger"
        onClick={async () => {
          setAsking(false);
          await onConfirm();
        }}
      >
        {confirmLabel}
      </button>{' '}
      <button type="button" className="secondary" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </fieldset>
  );
}
