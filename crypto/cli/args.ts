/**
 * Shared option parser for crypto/cli/<command>.ts modules (node:util parseArgs, strict).
 *
 *   const { values, positionals } = parseArgs(args, { string: ['in', 'out'], boolean: ['detached'], multiple: ['crl'] });
 *   const input = requireString(values, 'in');
 */
import { parseArgs as nodeParseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';

export interface ArgSpec {
  string?: string[];
  boolean?: string[];
  /** string options that may repeat; their value is string[] */
  multiple?: string[];
  /** single-letter aliases, e.g. { o: 'out' } */
  alias?: Record<string, string>;
  /** allow positional arguments (default true) */
  positionals?: boolean;
}

export type ArgValues = Record<string, string | boolean | string[] | undefined>;

export function parseArgs(args: string[], spec: ArgSpec): { values: ArgValues; positionals: string[] } {
  type Opt = { type: 'string' | 'boolean'; multiple?: boolean; short?: string };
  const options: Record<string, Opt> = {};
  for (const s of spec.string ?? []) options[s] = { type: 'string' };
  for (const s of spec.multiple ?? []) options[s] = { type: 'string', multiple: true };
  for (const s of spec.boolean ?? []) options[s] = { type: 'boolean' };
  options.help ??= { type: 'boolean' };
  for (const [short, long] of Object.entries(spec.alias ?? {})) {
    if (options[long]) options[long].short = short;
  }
  try {
    const r = nodeParseArgs({ args, options, strict: true, allowPositionals: spec.positionals ?? true });
    return { values: r.values as ArgValues, positionals: r.positionals };
  } catch (e) {
    // node's messages are long and mention internals; keep the first sentence
    const msg = e instanceof Error ? e.message.split('. ')[0] : String(e);
    throw new Error(msg.replace(/^Unknown option '(.*)'.*$/, 'unknown option $1'));
  }
}

export function requireString(values: ArgValues, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new Error(`missing --${name}`);
  return v;
}

export function optionalString(values: ArgValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function stringList(values: ArgValues, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], name: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`--${name} must be one of ${allowed.join(', ')}`);
  return value as T;
}

export async function readBytes(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** SHA-256 of a file, streamed, so multi-gigabyte bid files are never held in memory. */
export async function sha256File(file: string): Promise<Uint8Array> {
  const h = createHash('sha256');
  try {
    for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return new Uint8Array(h.digest());
}

export function print(line = ''): void {
  process.stdout.write(line + '\n');
}
