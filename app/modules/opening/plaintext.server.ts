// The decrypted files of valid bids (投标文件明文), kept for the evaluation committee
// (docs/decisions/112). At the opening the bid is decrypted once (with the bidder's content key,
// or with the opening key as the fallback); the opening key's shares are wiped when every bid is
// processed, so nothing could decrypt a fallback bid again. The plaintext files are therefore
// written to the content-addressed file store right then, and one OpeningBidFile row per file
// (in the same transaction as the bid's result) says which files belong to which bid.
//
// Who may read them is decided by the evaluation (app/modules/evaluation/bid-files.server.ts),
// never here; these rows are read only through app/modules/evaluation/opened-bids.server.ts.
import type { Tx } from '~/db/db.server';
import { now } from '~/modules/clock/clock.server';
import { putBytes } from '~/modules/files/store.server';

export interface StoredPlainFile {
  seq: number;
  name: string;
  sha256: string;
  size: number;
}

/** Writes the files to the store (outside any transaction: file writes cannot roll back). */
export async function storeDecryptedFiles(files: { name: string; bytes: Uint8Array }[]): Promise<StoredPlainFile[]> {
  const out: StoredPlainFile[] = [];
  for (const [seq, f] of files.entries()) {
    const { sha256, size } = await putBytes(f.bytes);
    out.push({ seq, name: f.name, sha256, size });
  }
  return out;
}

/** Records which stored files belong to the bid, in the transaction that records its result. */
export async function recordDecryptedFiles(tx: Tx, openingBidId: string, files: StoredPlainFile[]) {
  if (files.length === 0) return;
  const at = now();
  await tx.openingBidFile.createMany({ data: files.map((f) => ({ openingBidId, seq: f.seq, name: f.name.slice(0, 255), sha256: f.sha256, size: f.size, createdAt: at })), skipDuplicates: true });
}
