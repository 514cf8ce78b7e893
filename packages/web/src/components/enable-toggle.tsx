/** The Enable / Disable button of a named item in a table row (routes, automated responses). */

export function EnableToggle({
  name,
  enabled,
  pending,
  toggle,
  onChanged,
}: {
  name: string;
  enabled: boolean;
  pending: boolean;
  /** Flips the item; a falsy result (an error, shown by the caller) leaves the table as it is. */
  toggle: () => Promise<unknown>;
  onChanged: () => void;
}) {
  const verb = enabled ? 'Disable' : 'Enable';
  return (
    <button
      type="button"
      className="secondary"
      aria-label={`${verb} ${name}`}
      disabled={pending}
      onClick={async () => {
        if (await toggle()) onChanged();
      }}
    >
      {verb}
    </button>
  );
}
