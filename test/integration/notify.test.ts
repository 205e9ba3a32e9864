import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getPrisma } from '~/db/index.server';
import { env } from '~/env.server';
import { deliverMails, listInbox, markRead, notifyUsers, unreadCount } from '~/modules/notify/notify.server';
import { useTestDatabase } from '../setup/db';
import { createUser } from '../setup/fixtures';

useTestDatabase();

describe('notifications', () => {
  it('puts messages in the inbox with an unread count, and marks them read', async () => {
    const a = await createUser('bidder');
    const b = await createUser('bidder');
    const prisma = await getPrisma();
    await prisma.$transaction((tx) => notifyUsers(tx, [a.id, b.id], { title: '招标文件已修改', body: '请查看澄清公告', link: '/announcements' }));
    await prisma.$transaction((tx) => notifyUsers(tx, [a.id], { title: '第二条', body: '内容', kind: 'warning' }));
    expect(await unreadCount(a.id)).toBe(2);
    expect(await unreadCount(b.id)).toBe(1);
    const inbox = await listInbox(a.id);
    expect(new Set(inbox.items.map((n) => n.title))).toEqual(new Set(['第二条', '招标文件已修改']));
    await markRead(a.id, [inbox.items[0].id]);
    expect(await unreadCount(a.id)).toBe(1);
    // One user cannot mark another's messages.
    const bInbox = await listInbox(b.id);
    await markRead(a.id, [bInbox.items[0].id]);
    expect(await unreadCount(b.id)).toBe(1);
    await markRead(a.id, 'all');
    expect(await unreadCount(a.id)).toBe(0);
  });

  it('writes e-mails to the demo mailbox when no SMTP server is configured', async () => {
    const u = await createUser('owner');
    const prisma = await getPrisma();
    const mails = await prisma.$transaction((tx) => notifyUsers(tx, [u.id], { title: '退款已到账', body: '保证金已退还。', email: true, link: '/payments/orders' }));
    expect(mails).toHaveLength(1);
    await deliverMails(mails);
    const dir = path.join(env().DATA_DIR, 'mailbox');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.eml'));
    expect(files.length).toBeGreaterThan(0);
    const text = fs.readFileSync(path.join(dir, files[files.length - 1]), 'utf8');
    expect(text).toContain(`To: ${u.email}`);
    expect(text).toMatch(/Subject: =\?UTF-8\?/); // the Chinese subject is MIME-encoded
  });
});
