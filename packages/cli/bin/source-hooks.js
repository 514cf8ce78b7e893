/** Module resolve hook: map each workspace package to its TypeScript entry point. */
const PACKAGES = new Set(['protocol', 'server', 'agent', 'cli']);

/**
 * Resolve `@vigil/<pkg>` to `packages/<pkg>/src/index.ts` and a subpath export `@vigil/<pkg>/<entry>`
 * to `packages/<pkg>/src/<entry>.ts`; everything else resolves as usual.
 */
export async function resolve(specifier, context, nextResolve) {
  const match = /^@vigil\/([a-z]+)(?:\/([a-z-]+))?$/.exec(specifier);
  if (match && PACKAGES.has(match[1])) {
    // Handed on (not short-circuited) so tsx resolves the .ts file and marks it for compiling.
    const entry = match[2] ?? 'index';
    return nextResolve(new URL(`../../${match[1]}/src/${entry}.ts`, import.meta.url).href, context);
  }
  return nextResolve(specifier, context);
}
