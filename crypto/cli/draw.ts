/**
 * `draw` command: commit to a seed, run a draw, verify a published draw record offline.
 *
 *   draw commit [--seed HEX]
 *   draw run --seed HEX [--commitment HEX] --candidates FILE.json --count N --purpose P
 *            [--reserves K] [--extra TEXT]... [--out RECORD.json]
 *   draw verify --in RECORD.json [--commitment HEX] [--candidates-hash HEX] [--purpose P]
 *
 * The algorithm is specified in docs/draw-algorithm.md.
 */
import { writeFile } from 'node:fs/promises';
import { commitSeed, generateSeed, runDraw, verifyDraw, type DrawCandidateInput } from '../draw.js';
import { toHex } from '../hash.js';
import { optionalString, parseArgs, print, readText, requireString, stringList, type ArgValues } from './args.js';

const USAGE = `usage:
  draw commit [--seed HEX]
  draw run --seed HEX [--commitment HEX] --candidates FILE.json --count N --purpose P [--reserves K] [--extra TEXT]... [--out RECORD.json]
  draw verify --in RECORD.json [--commitment HEX] [--candidates-hash HEX] [--purpose P]`;

function int(values: ArgValues, name: string, fallback?: number): number {
  const s = fallback === undefined ? requireString(values, name) : optionalString(values, name);
  if (s === undefined) return fallback as number;
  if (!/^\d+$/.test(s)) throw new Error(`--${name} must be a non-negative integer`);
  return Number(s);
}

async function readJson(path: string): Promise<unknown> {
  const text = await readText(path);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${path} is not valid JSON`);
  }
}

const out = print;

export async function run(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === 'commit') {
    const { values } = parseArgs(rest, { string: ['seed'], positionals: false });
    if (values.help) return print(USAGE);
    const seed = optionalString(values, 'seed') ?? toHex(generateSeed());
    out(`seed: ${seed.toLowerCase()}`);
    out(`commitment: ${commitSeed(seed)}`);
    return;
  }
  if (sub === 'run') {
    const { values } = parseArgs(rest, {
      string: ['seed', 'commitment', 'candidates', 'count', 'purpose', 'reserves', 'out'],
      multiple: ['extra'],
      positionals: false,
    });
    if (values.help) return print(USAGE);
    const seed = requireString(values, 'seed');
    const candidates = await readJson(requireString(values, 'candidates'));
    if (!Array.isArray(candidates)) throw new Error('the candidates file must hold a JSON array');
    const record = runDraw({
      seed,
      commitment: optionalString(values, 'commitment') ?? commitSeed(seed),
      candidates: candidates as DrawCandidateInput[],
      count: int(values, 'count'),
      reserveCount: int(values, 'reserves', 0),
      purpose: requireString(values, 'purpose'),
      extraEntropy: stringList(values, 'extra'),
    });
    const json = JSON.stringify(record, null, 2) + '\n';
    const file = optionalString(values, 'out');
    if (file) {
      await writeFile(file, json, 'utf8');
      out(`winners: ${record.winners.join(', ')}`);
      if (record.reserves.length) out(`reserves: ${record.reserves.join(', ')}`);
      out(`record written to ${file}`);
    } else {
      process.stdout.write(json);
    }
    return;
  }
  if (sub === 'verify') {
    const { values } = parseArgs(rest, { string: ['in', 'commitment', 'candidates-hash', 'purpose'], positionals: false });
    if (values.help) return print(USAGE);
    const record = await readJson(requireString(values, 'in'));
    const result = verifyDraw(record, {
      commitment: optionalString(values, 'commitment'),
      candidatesHash: optionalString(values, 'candidates-hash'),
      purpose: optionalString(values, 'purpose'),
    });
    if (!result.ok) throw new Error(`draw verification failed (${result.code}): ${result.reason}`);
    out(`winners: ${result.winners.join(', ')}`);
    if (result.reserves.length) out(`reserves: ${result.reserves.join(', ')}`);
    out('OK');
    return;
  }
  if (sub === undefined || sub === '--help' || sub === 'help') return print(USAGE);
  throw new Error(`unknown draw subcommand "${sub}" (commit, run, verify)`);
}
