/** Copy a text to the clipboard, confirming in words (announced) when it worked. */
import { useState } from 'react';

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
  };
  return (
    <>
      <button type="button" onClick={copy}>
        {label}
      </button>
      <span className="muted" aria-live="polite">
        {state === 'copied' ? ' Copied.' : state === 'failed' ? ' Copy failed: select the text instead.' : ''}
      </span>
    </>
  );
}
