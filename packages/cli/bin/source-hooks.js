/** Module resolve hook: map each workspace package to its TypeScript entry point. */
const PACKAGES = new Set(['protocol', 'server', 'agent', 'cli']);

/** Resolve `@vigil/<pkg>` to `packages/<pkg>/src/index.ts`; everything else resolves as usual. */
export async function resolve(specifier, context, nextResolve) {
  const match = /^@vigil\/([a-z]+)$/.exec(specifier);
  if (match && PACKAGES.has(match[1])) {
    // Handed on (not short-circuited) so tsx resolves the .ts file and marks it for compiling.
    return nextResolve(new URL(`../../${match[1]}/src/index.ts`, import.meta.url).href, context);
  }
  return nextResolve(specifier, context);
}
