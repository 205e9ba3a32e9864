/**
 * Benchmark dispatcher: `npm run bench -- <name> [options]` runs bench/<name>.ts's exported run();
 * with no name every benchmark runs, one after another. Options after the name are left in
 * process.argv for the benchmark to read. Benchmarks print ratios against a baseline measured in
 * the same run and never assert timings.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const DIR = path.dirname(fileURLToPath(import.meta.url));

export function listBenchmarks(): string[] {
  return readdirSync(DIR)
    .filter((f) => /^[a-z][a-z0-9-]*\.ts$/.test(f) && f !== 'run.ts' && !f.includes('.test.'))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function runOne(name: string): Promise<void> {
  const mod = (await import(pathToFileURL(path.join(DIR, `${name}.ts`)).href)) as { run?: () => Promise<void> };
  if (typeof mod.run !== 'function') throw new Error(`bench/${name}.ts does not export run()`);
  const t0 = performance.now();
  console.log(`\n=== bench ${name} ===`);
  await mod.run();
  console.log(`=== ${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s ===`);
}

export async function main(argv: string[]): Promise<number> {
  const [first] = argv;
  const all = listBenchmarks();
  if (first === '--help' || first === '-h' || first === 'help') {
    console.log(`usage: npm run bench -- [name] [options]\nbenchmarks: ${all.join(', ')}`);
    return 0;
  }
  const names = first && !first.startsWith('-') ? [first] : all;
  for (const n of names) {
    if (!all.includes(n)) {
      console.error(`error: unknown benchmark "${n}" (benchmarks: ${all.join(', ')})`);
      return 1;
    }
  }
  for (const n of names) await runOne(n);
  return 0;
}

const direct = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (direct) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
