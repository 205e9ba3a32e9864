/**
 * RFC 3161 time-stamping.
 *   ts query --in FILE --out REQ.tsq [--no-cert]
 *   ts stamp --cert TSA.pem --key TSA.key (--in FILE | --query REQ.tsq) --out RESP.tsr
 *            [--chain CA.pem]... [--serial N] [--policy OID]
 *   ts verify --ca CA.pem --in RESP.tsr (--data FILE | --digest HEX) [--crl CRL]...
 * RESP.tsr may be a TimeStampResp or a bare token (ContentInfo).
 */
import { writeFile } from 'node:fs/promises';
import * as asn1js from 'asn1js';
import { fromHex, toHex } from '../hash.js';
import { certPublicKey, importPrivateKeyPem, toDer } from '../pki.js';
import { createTimeStampRequest, createTimeStampResponse, tokenFromResponse, verifyTimeStamp } from '../tsp.js';
import { optionalString, parseArgs, print, readBytes, readText, requireString, sha256File, stringList } from './args.js';
import { readAnchors } from './verify.js';

const USAGE = `usage:
  ts query --in FILE --out REQ.tsq [--no-cert]
  ts stamp --cert TSA.pem --key TSA.key (--in FILE | --query REQ.tsq) --out RESP.tsr [--chain CA.pem]... [--serial N] [--policy OID]
  ts verify --ca CA.pem --in RESP.tsr (--data FILE | --digest HEX) [--crl CRL]...`;

function isToken(bytes: Uint8Array): boolean {
  const r = asn1js.fromBER(bytes);
  const first = r.offset !== -1 && r.result instanceof asn1js.Sequence ? r.result.valueBlock.value[0] : undefined;
  return first instanceof asn1js.ObjectIdentifier;
}

export async function run(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values } = parseArgs(rest, {
    string: ['in', 'out', 'cert', 'key', 'query', 'serial', 'policy', 'data', 'digest'],
    boolean: ['no-cert'],
    multiple: ['chain', 'ca', 'crl'],
    positionals: false,
  });
  if (sub === '--help' || values.help) return print(USAGE);
  if (sub === 'query') {
    const req = await createTimeStampRequest({ digest: await sha256File(requireString(values, 'in')), certReq: !values['no-cert'] });
    await writeFile(requireString(values, 'out'), req);
    print(`wrote ${requireString(values, 'out')}`);
    return;
  }
  if (sub === 'stamp') {
    const cert = toDer(await readBytes(requireString(values, 'cert')));
    // PKCS#1 v1.5 for RSA: OpenSSL 3.0's PKCS7-based `ts -verify` does not take RSA-PSS.
    const isEc = (await certPublicKey(cert, 'verify')).algorithm.name === 'ECDSA';
    const key = await importPrivateKeyPem(await readText(requireString(values, 'key')), 'sign', { alg: isEc ? 'ECDSA' : 'RSASSA-PKCS1-v1_5' });
    const queryFile = optionalString(values, 'query');
    const inFile = optionalString(values, 'in');
    if (!queryFile === !inFile) throw new Error('give exactly one of --in FILE or --query REQ.tsq');
    const request = queryFile ? await readBytes(queryFile) : await createTimeStampRequest({ digest: await sha256File(inFile!) });
    const serialOpt = optionalString(values, 'serial');
    let serial: bigint | Uint8Array;
    try {
      serial = serialOpt ? BigInt(serialOpt) : globalThis.crypto.getRandomValues(new Uint8Array(16));
    } catch {
      throw new Error('--serial must be an integer');
    }
    const chain = await Promise.all(stringList(values, 'chain').map(async (f) => toDer(await readBytes(f))));
    const resp = await createTimeStampResponse({
      request,
      tsaCert: cert,
      tsaKey: key,
      chain,
      now: new Date(),
      serial,
      policy: optionalString(values, 'policy'),
    });
    tokenFromResponse(resp); // a rejection (bad query) is an error for the CLI
    await writeFile(requireString(values, 'out'), resp);
    print(`wrote ${requireString(values, 'out')}`);
    return;
  }
  if (sub === 'verify') {
    const anchors = await readAnchors(stringList(values, 'ca'));
    const crls = await Promise.all(stringList(values, 'crl').map(async (f) => toDer(await readBytes(f), 'X509 CRL')));
    const input = await readBytes(requireString(values, 'in'));
    const dataFile = optionalString(values, 'data');
    const digestHex = optionalString(values, 'digest');
    if (!dataFile === !digestHex) throw new Error('give exactly one of --data FILE or --digest HEX');
    let digest: Uint8Array;
    try {
      digest = dataFile ? await sha256File(dataFile) : fromHex(digestHex!);
    } catch (e) {
      throw new Error(`--digest: ${(e as Error).message}`);
    }
    const info = await verifyTimeStamp({
      ...(isToken(input) ? { token: input } : { response: input }),
      digest,
      trustAnchors: anchors,
      crls,
    });
    print('verification: OK');
    print(`time: ${info.genTime.toISOString()}`);
    print(`serial: ${info.serialHex}`);
    print(`policy: ${info.policy}`);
    print(`tsa: ${info.tsa.subject}`);
    print(`imprint: ${toHex(info.digest)}`);
    return;
  }
  throw new Error(`unknown ts subcommand "${sub ?? ''}"; ${USAGE.replace(/\n\s*/g, ' | ')}`);
}
