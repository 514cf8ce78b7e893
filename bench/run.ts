/**
 * `npm run bench -- <name> [args]`: runs one benchmark from bench/<name>.ts. Each benchmark
 * prints its method and its numbers; figures go into docs/benchmarks.md.
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('./', import.meta.url));
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();
const [name, ...args] = process.argv.slice(2);
if (!name || !names.includes(name)) {
  console.error(`usage: npm run bench -- <name> [args]\nbenchmarks: ${names.join(', ')}`);
  process.exit(name ? 2 : 0);
}
const file = new URL(`./${name}.bench.ts`, import.meta.url);
if (!existsSync(file)) process.exit(2);
const mod = (await import(file.href)) as { main(args: string[]): Promise<void> };
await mod.main(args);
