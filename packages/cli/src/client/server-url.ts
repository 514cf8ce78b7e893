/** Server URLs as the CLI stores and compares them. */
import { VigilError } from '@vigil/protocol';

/** The origin of an `https://` server URL (no path, no trailing slash), or E_VALIDATION. */
export function normaliseServerUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new VigilError(
      'E_VALIDATION',
      `'${text}' is not a URL: expected e.g. https://vigil.example.com:8443`,
    );
  }
  if (url.protocol !== 'https:') {
    throw new VigilError(
      'E_VALIDATION',
      `the server URL must start with https:// (Vigil serves only TLS), got '${text}'`,
    );
  }
  if (url.username || url.password)
    throw new VigilError('E_VALIDATION', 'the server URL must not contain a user name or password');
  return url.origin;
}
