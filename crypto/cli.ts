/**
 * Offline command-line tool: `npx tsx crypto/cli.ts <command> ...`.
 *
 * The first word names a module `crypto/cli/<word>.ts` exporting
 * `export async function run(args: string[]): Promise<void>`; dropping a file there adds a command.
 * Exit status 0 on success; on any error one line `error: <reason>` goes to stderr and the status is 1.
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const CLI_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cli');
const NOT_COMMANDS = new Set(['args']);

export function listCommands(): string[] {
  let files: string[] = [];
  try {
    files = readdirSync(CLI_DIR);
  } catch {
    return [];
  }
  return files
    .filter((f) => /^[a-z][a-z0-9-]*\.(ts|js)$/.test(f) && !f.includes('.test.'))
    .map((f) => f.replace(/\.(ts|js)$/, ''))
    .filter((w, i, all) => !NOT_COMMANDS.has(w) && all.indexOf(w) === i)
    .sort();
}

function usage(): string {
  return `usage: npx tsx crypto/cli.ts <command> [options]\ncommands: ${listCommands().join(', ')}\n` +
    `run "npx tsx crypto/cli.ts <command> --help" for a command's options`;
}

function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/\s*\n\s*/g, ' ').trim() || 'unknown error';
}

export async function main(argv: string[]): Promise<number> {
  const [word, ...rest] = argv;
  if (!word || word === 'help' || word === '--help' || word === '-h') {
    process.stdout.write(usage() + '\n');
    return 0;
  }
  try {
    if (!/^[a-z][a-z0-9-]*$/.test(word) || NOT_COMMANDS.has(word)) throw new Error(`unknown command "${word}"`);
    const file = ['ts', 'js'].map((ext) => path.join(CLI_DIR, `${word}.${ext}`)).find((f) => existsSync(f));
    if (!file) throw new Error(`unknown command "${word}" (commands: ${listCommands().join(', ')})`);
    const mod = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as { run?: (args: string[]) => Promise<void> };
    if (typeof mod.run !== 'function') throw new Error(`command module ${word} does not export run()`);
    await mod.run(rest);
    return 0;
  } catch (e) {
    process.stderr.write(`error: ${oneLine(e)}\n`);
    return 1;
  }
}

const invokedDirectly = (() => {
  try {
    return process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`error: ${oneLine(e)}\n`);
      process.exitCode = 1;
    },
  );
}
