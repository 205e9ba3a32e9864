import crypto from 'node:crypto';

/**
 * A row id for rows written with plain SQL, in the shape of Prisma's cuid() default (the columns
 * are plain text): 'c', the time in base 36, 16 random hex digits.
 */
export function newRowId(): string {
  return `c${Date.now().toString(36)}${crypto.randomBytes(8).toString('hex')}`;
}
