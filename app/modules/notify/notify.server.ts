// 站内消息 and e-mail. Mail goes through SMTP when SMTP_URL is set; otherwise (demo, tests) each
// message is written as an .eml file to DATA_DIR/mailbox, which tests read.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { env } from '~/env.server';
import type { Tx } from '~/db/db.server';
import { getPrisma } from '~/db/index.server';
import { now } from '~/modules/clock/clock.server';
import { log } from '~/modules/log.server';

export interface NotificationInput {
  title: string;
  body: string;
  link?: string;
  kind?: 'info' | 'warning' | 'danger' | 'success';
  /** Also send an e-mail when the user has an address. */
  email?: boolean;
}

/** Adds inbox messages inside the caller's transaction; e-mails go out after it commits. */
export async function notifyUsers(tx: Tx, userIds: string[], input: NotificationInput) {
  if (userIds.length === 0) return [] as { to: string; subject: string; text: string }[];
  const at = now();
  await tx.notification.createMany({
    data: userIds.map((userId) => ({ userId, title: input.title, body: input.body, link: input.link, kind: input.kind ?? 'info', createdAt: at })),
  });
  if (!input.email) return [];
  const users = await tx.user.findMany({ where: { id: { in: userIds }, email: { not: null } }, select: { email: true } });
  return users.map((u) => ({ to: u.email!, subject: input.title, text: input.body + (input.link ? `\n\n${env().PUBLIC_BASE_URL}${input.link}` : '') }));
}

let transport: ReturnType<typeof nodemailer.createTransport> | undefined;

export async function sendMail(mail: { to: string; subject: string; text: string }) {
  const e = env();
  if (e.SMTP_URL) {
    transport ??= nodemailer.createTransport(e.SMTP_URL);
    await transport.sendMail({ from: e.MAIL_FROM, ...mail });
    log.info('mail.sent', { to: mail.to, subject: mail.subject });
    return;
  }
  const dir = path.join(e.DATA_DIR, 'mailbox');
  fs.mkdirSync(dir, { recursive: true });
  const stream = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const info = await stream.sendMail({ from: e.MAIL_FROM, ...mail });
  const file = path.join(dir, `${now().toISOString().replace(/[:.]/g, '-')}-${crypto.randomBytes(4).toString('hex')}.eml`);
  fs.writeFileSync(file, info.message as Buffer);
}

export async function deliverMails(mails: { to: string; subject: string; text: string }[]) {
  for (const m of mails) {
    try {
      await sendMail(m);
    } catch (err) {
      // The inbox copy is already committed; a mail failure must not undo the action.
      log.warn('mail.failed', { to: m.to, error: String(err) });
    }
  }
}

export async function unreadCount(userId: string) {
  const prisma = await getPrisma();
  return prisma.notification.count({ where: { userId, readAt: null } });
}

export async function listInbox(userId: string, opts: { page?: number; pageSize?: number; unreadOnly?: boolean } = {}) {
  const prisma = await getPrisma();
  const pageSize = Math.min(opts.pageSize ?? 20, 100);
  const page = Math.max(opts.page ?? 1, 1);
  const where = { userId, ...(opts.unreadOnly ? { readAt: null } : {}) };
  const [items, total] = await Promise.all([
    prisma.notification.findMany({ where, orderBy: { createdAt: 'desc' }, skip: (page - 1) * pageSize, take: pageSize }),
    prisma.notification.count({ where }),
  ]);
  return { items, total, page, pageSize };
}

export async function markRead(userId: string, ids: string[] | 'all') {
  const prisma = await getPrisma();
  await prisma.notification.updateMany({
    where: { userId, readAt: null, ...(ids === 'all' ? {} : { id: { in: ids } }) },
    data: { readAt: now() },
  });
}
