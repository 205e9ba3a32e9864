// 围标串标 from the bids' documents (docs/decisions/097): the server reads each plaintext file's
// SHA-256 and authoring metadata at the opening, right after the bid is decrypted, and the
// collusion rule compares them across the bidders of one tender. Real tenders, real sealed bids,
// a real opening (check-in, 2-of-3 key, bidders decrypting with their own keys); real PDFs
// (pdf-lib), real XLSX (exceljs) and ZIP files.
import zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import { PDFDocument, PDFHexString, PDFName, StandardFonts } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { pemToDer } from '../../crypto/pki';
import { sealBid } from '../../crypto/seal';
import { getPrisma } from '~/db/index.server';
import { advanceClock, now, setClock } from '~/modules/clock/clock.server';
import { uploadTenderDocument } from '~/modules/bidding/documents.server';
import { appendChunk, completeBidUpload, startBidUpload } from '~/modules/bidding/uploads.server';
import { endDecryption } from '~/modules/opening/decrypt.server';
import { ensureOpening, startOpening } from '~/modules/opening/room.server';
import { readDocumentFacts, type DocumentFacts } from '~/modules/supervision/documents.server';
import { baselineOf, collusionRule, collusionSignals, type SubmissionView } from '~/modules/supervision/rules/collusion.server';
import { runWarningRules } from '~/modules/supervision/warnings.server';
import { useTestDatabase } from '../setup/db';
import { actorFor, bidderWithKey, obtainDocuments, publishedTender, streamOf, type Holder } from './bidding.fixtures';
import { bidderDecrypts, DAY_MS, handInShare, signedCheckIn } from './opening.fixtures';

useTestDatabase();

const MONDAY = new Date('2026-03-02T09:00:00+08:00');
const enc = (s: string) => new TextEncoder().encode(s);

// ---------------------------------------------------------------------------------------------
// real documents

interface PdfOpts {
  text: string;
  title?: string;
  author?: string;
  creator?: string;
  producer?: string;
  created?: Date;
  documentId?: string;
  instanceId?: string;
  trailerId?: string;
  objectStreams?: boolean;
}

async function pdfFile(o: PdfOpts): Promise<Uint8Array> {
  const pdf = await PDFDocument.create({ updateMetadata: false });
  const page = pdf.addPage();
  page.drawText(o.text, { x: 50, y: 700, size: 12, font: await pdf.embedFont(StandardFonts.Helvetica) });
  if (o.title) pdf.setTitle(o.title);
  if (o.author) pdf.setAuthor(o.author);
  if (o.creator) pdf.setCreator(o.creator);
  if (o.producer) pdf.setProducer(o.producer);
  if (o.created) {
    pdf.setCreationDate(o.created);
    pdf.setModificationDate(o.created);
  }
  if (o.documentId) {
    const xmp = `<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"><xmpMM:DocumentID>${o.documentId}</xmpMM:DocumentID><xmpMM:InstanceID>${o.instanceId ?? `uuid:${Math.random()}`}</xmpMM:InstanceID></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;
    pdf.catalog.set(PDFName.of('Metadata'), pdf.context.register(pdf.context.flateStream(enc(xmp), { Type: 'Metadata', Subtype: 'XML' })));
  }
  if (o.trailerId) pdf.context.trailerInfo.ID = pdf.context.obj([PDFHexString.of(o.trailerId), PDFHexString.of(o.trailerId)]);
  return pdf.save({ useObjectStreams: o.objectStreams ?? false });
}

async function xlsxFile(o: { rows: (string | number)[][]; creator: string; lastModifiedBy: string; created: Date; company?: string }): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  wb.creator = o.creator;
  wb.lastModifiedBy = o.lastModifiedBy;
  wb.created = o.created;
  wb.modified = new Date(o.created.getTime() + 3_600_000);
  if (o.company) wb.company = o.company;
  const ws = wb.addWorksheet('报价');
  for (const r of o.rows) ws.addRow(r);
  return new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

/** A plain ZIP archive, its entries stored or deflated (same entries, different bytes). */
function zipFile(entries: { name: string; data: Uint8Array }[], opts: { deflate: boolean; time: number }): Uint8Array {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const body = opts.deflate ? zlib.deflateRawSync(e.data) : Buffer.from(e.data);
    const crc = zlib.crc32(e.data);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(0x0800, 6);
    lh.writeUInt16LE(opts.deflate ? 8 : 0, 8);
    lh.writeUInt16LE(opts.time, 10);
    lh.writeUInt16LE(0x5a21, 12);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(body.length, 18);
    lh.writeUInt32LE(e.data.length, 22);
    lh.writeUInt16LE(name.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(0x0800, 8);
    ch.writeUInt16LE(opts.deflate ? 8 : 0, 10);
    ch.writeUInt16LE(opts.time, 12);
    ch.writeUInt16LE(0x5a21, 14);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(body.length, 20);
    ch.writeUInt32LE(e.data.length, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, name, body);
    central.push(ch, name);
    offset += lh.length + name.length + body.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, cd, end]));
}

// ---------------------------------------------------------------------------------------------
// a tender opened for real

type Bidder = Holder & { ip: string };

async function openTenderWith(bids: { ip: string; files: (ctx: { names: string[] }) => Promise<{ name: string; bytes: Uint8Array }[]> }[], tenderFiles: { name: string; bytes: Uint8Array }[] = []) {
  const { agent, holders, tender } = await publishedTender({ sections: 1, k: 2 });
  const prisma = await getPrisma();
  for (const f of tenderFiles) await uploadTenderDocument(actorFor(agent), agent, tender.id, { name: f.name, mime: 'application/octet-stream', body: streamOf(f.bytes) });
  const t = await prisma.tender.findUniqueOrThrow({ where: { id: tender.id }, include: { sections: true } });
  const section = t.sections[0];
  const bidders: Bidder[] = [];
  for (const b of bids) bidders.push({ ...(await bidderWithKey()), ip: b.ip });
  const names = bidders.map((b) => b.user.organization!.name);
  for (const [i, b] of bidders.entries()) {
    await obtainDocuments(actorFor(b.user), b.user, t.id);
    const sealed = await sealBid({
      tenderId: t.id,
      sectionId: section.id,
      bidderId: b.user.organizationId!,
      form: { price: 1_000_000_00 + i, durationDays: 365, quality: '合格', projectManager: '项目经理' },
      files: await bids[i].files({ names }),
      signerCert: b.enrolment.cert,
      signerKey: b.enrolment.signKey,
      recipients: [pemToDer(t.openingCertPem!)],
    });
    // The submission's address is the bidder's own (the fixture's upload uses one for everybody).
    const actor = { ...actorFor(b.user), ip: b.ip };
    const started = await startBidUpload(actor, b.user, { tenderId: t.id, sectionId: section.id, submission: sealed.submission });
    await appendChunk(b.user, started.uploadId, 0, streamOf(sealed.envelope));
    await completeBidUpload(actor, b.user, started.uploadId);
  }
  advanceClock(26 * DAY_MS);
  const opening = await ensureOpening(t.id, { decryptWindowMinutes: 30 });
  const host = holders.find((h) => h.user.id === agent.id)!;
  const supervisors = holders.filter((h) => h.user.id !== agent.id);
  return {
    tender: t,
    bidders,
    names,
    /** check-in, 2-of-3 key, every bidder decrypts its own bid, the window ends */
    async open() {
      for (const p of [host, ...supervisors, ...bidders]) await signedCheckIn(p, opening.id);
      await startOpening(actorFor(host.user), host.user, opening.id);
      await handInShare(supervisors[0], t.id, opening.id);
      expect(await handInShare(host, t.id, opening.id)).toEqual({ rebuilt: true });
      for (const b of bidders) expect(await bidderDecrypts(b, opening.id)).toEqual([{ result: 'valid' }]);
      advanceClock(31 * 60_000);
      await endDecryption(actorFor(host.user), host.user, opening.id);
      expect((await prisma.opening.findUniqueOrThrow({ where: { id: opening.id } })).state).toBe('reading');
    },
  };
}

async function runCollusion() {
  const prisma = await getPrisma();
  const r = await runWarningRules(prisma, [collusionRule], now());
  expect(r.errors).toEqual([]);
  return prisma.warning.findMany({ where: { ruleId: collusionRule.id }, include: { events: { orderBy: { at: 'asc' } } } });
}

// ---------------------------------------------------------------------------------------------

describe('document fingerprints read at the opening', () => {
  it('fires on a shared file and a document made from another bidder’s, naming the bidders and the evidence; grows the open warning', async () => {
    setClock(MONDAY);
    const created = new Date('2026-02-20T10:15:30+08:00');
    // bidder A and B share an identical technical proposal and B's bid letter was made from A's
    // (same XMP DocumentID, same author, creator and creation time); C is independent.
    const proposal = await pdfFile({ text: 'Construction organisation design, 120 pages', author: '陈志远', creator: 'WPS 文字', created: new Date('2026-02-18T09:00:00+08:00'), documentId: 'uuid:9f1c2e44-0b7a-4d2e-9d55-6a1f3c0e7b21' });
    const s = await openTenderWith([
      {
        ip: '203.0.113.7',
        files: async () => [
          { name: '投标函.pdf', bytes: await pdfFile({ text: 'Bid letter A SECRET-PRICE-111', title: 'SECRET-TITLE-A', author: '陈志远', creator: 'Microsoft Word 2019', producer: 'Microsoft Word 2019', created, documentId: 'uuid:5b0e7a1c-2f43-4c1d-8e0b-3d9a7c6f1e42', instanceId: 'uuid:aaaa-0001' }) },
          { name: '施工组织设计.pdf', bytes: proposal },
        ],
      },
      {
        ip: '203.0.113.7',
        files: async () => [
          { name: '投标函（B）.pdf', bytes: await pdfFile({ text: 'Bid letter B SECRET-PRICE-222', title: 'SECRET-TITLE-B', author: '陈志远', creator: 'Microsoft Word 2019', producer: 'Microsoft Word 2019', created, documentId: 'uuid:5b0e7a1c-2f43-4c1d-8e0b-3d9a7c6f1e42', instanceId: 'uuid:bbbb-0002' }) },
          { name: '技术标.pdf', bytes: proposal },
        ],
      },
      {
        ip: '198.51.100.23',
        files: async () => [{ name: '投标文件.pdf', bytes: await pdfFile({ text: 'Bid letter C', author: '刘海波', creator: 'Microsoft Word 2016', created: new Date('2026-02-21T16:40:00+08:00'), documentId: 'uuid:0c6d1e7f-9a82-4b3c-a1d4-5e6f7a8b9c0d' }) }],
      },
    ]);
    const [a, b, c] = s.names;

    // Before the opening only the submission is known: the shared address.
    let ws = await runCollusion();
    expect(ws).toHaveLength(1);
    expect(ws[0].title).toContain('相同IP地址提交');
    expect(ws[0].title).not.toContain('文件');

    await s.open();
    const prisma = await getPrisma();
    const rows = await prisma.submissionFingerprint.findMany({ where: { tenderId: s.tender.id } });
    expect(rows).toHaveLength(3);
    for (const r of rows) expect(r.openedAt).not.toBeNull();
    const docsOf = (i: number) => rows.find((r) => r.bidderOrgId === s.bidders[i].user.organizationId)!.documents as unknown as DocumentFacts[];
    expect(docsOf(0).map((d) => d.name)).toEqual(['投标函.pdf', '施工组织设计.pdf']);
    expect(docsOf(0)[0].pdf).toMatchObject({ read: 'pdf-lib', author: '陈志远', creator: 'Microsoft Word 2019', documentId: 'uuid:5b0e7a1c-2f43-4c1d-8e0b-3d9a7c6f1e42', instanceId: 'uuid:aaaa-0001' });
    // Hashes and metadata only: neither the text nor the title of a bid is kept.
    expect(JSON.stringify(rows)).not.toMatch(/SECRET/);

    ws = await runCollusion();
    expect(ws).toHaveLength(1);
    const w = ws[0];
    for (const label of ['相同IP地址提交', '投标文件哈希相同', '文档唯一标识相同', '文档作者、创建程序与创建时间相同']) expect(w.title).toContain(label);
    expect(w.detail).toContain(a);
    expect(w.detail).toContain(b);
    expect(w.detail).not.toContain(c);
    expect(w.detail).toContain(`${a}：施工组织设计.pdf`);
    expect(w.detail).toContain(`${b}：技术标.pdf`);
    expect(w.detail).toContain('DocumentID=uuid:5b0e7a1c-2f43-4c1d-8e0b-3d9a7c6f1e42');
    const signals = (w.facts as { signals: { kind: string; bidders: string[] }[] }).signals;
    expect(new Set(signals.map((x) => x.kind))).toEqual(new Set(['ip', 'file', 'docId', 'docOrigin', 'docAuthor']));
    for (const x of signals) expect(x.bidders).toEqual([a, b].sort());
    // The same case grew: one warning, an "updated" event, an audit entry, a notice to its assignee.
    expect(w.events.map((e) => e.kind)).toEqual(['raised', 'updated']);
    expect(await prisma.auditEntry.count({ where: { action: 'warning.update', objectId: w.id } })).toBe(1);
    expect(await prisma.notification.count({ where: { userId: w.assigneeId!, title: { contains: '发现新的情况' } } })).toBe(1);
    // Evaluating again changes nothing.
    expect((await runCollusion())[0].events).toHaveLength(2);
  }, 240_000);

  it('stays silent when bidders only share the tender’s own documents, a filled-in template and default author names', async () => {
    setClock(MONDAY);
    const tenderPdf = await pdfFile({ text: 'Tender documents', author: '江城公共资源招标代理有限公司', creator: 'Microsoft Word 2019', created: new Date('2026-02-01T09:00:00+08:00'), documentId: 'uuid:11111111-2222-3333-4444-555555555555' });
    const template = { creator: '招标代理 刘工', created: new Date('2026-02-01T08:30:00Z') };
    const templateXlsx = await xlsxFile({ rows: [['项目', '单价', '合价']], creator: template.creator, lastModifiedBy: template.creator, created: template.created });
    const bid = (marker: string, price: number, pdfCreated: string) => async () => [
      // each bidder attaches the unchanged tender documents …
      { name: '招标文件.pdf', bytes: tenderPdf },
      // … fills in the tender's price template (its creator and creation time stay the template's) …
      { name: '报价表.xlsx', bytes: await xlsxFile({ rows: [['项目', '单价', '合价'], [`土方 ${marker}`, price, price * 10]], creator: template.creator, lastModifiedBy: 'Administrator', created: template.created }) },
      // … and writes its own bid letter on a machine with the default user name.
      { name: '投标函.pdf', bytes: await pdfFile({ text: `Bid letter ${marker}`, author: 'Administrator', creator: 'Microsoft Word 2019', created: new Date(pdfCreated) }) },
    ];
    const s = await openTenderWith(
      [
        { ip: '203.0.113.10', files: bid('A', 31, '2026-02-20T10:00:00+08:00') },
        { ip: '203.0.113.11', files: bid('B', 29, '2026-02-21T11:00:00+08:00') },
        { ip: '203.0.113.12', files: bid('C', 33, '2026-02-22T12:00:00+08:00') },
      ],
      [
        { name: '招标文件（正式版）.pdf', bytes: tenderPdf },
        { name: '投标报价表（格式）.xlsx', bytes: templateXlsx },
      ],
    );
    await s.open();
    const prisma = await getPrisma();
    const rows = await prisma.submissionFingerprint.findMany({ where: { tenderId: s.tender.id } });
    expect(rows.every((r) => (r.documents as unknown as DocumentFacts[]).length === 3)).toBe(true);
    expect(await runCollusion()).toEqual([]);

    // What keeps it silent is the tender's own documents (read once, kept) and the list of
    // default names — the same bids compared without them would be flagged.
    const subs: SubmissionView[] = rows.map((r) => ({ bidderOrgId: r.bidderOrgId, bidderName: r.bidderName, documents: r.documents as unknown as DocumentFacts[] }));
    expect(new Set(collusionSignals(subs).map((x) => x.kind))).toEqual(new Set(['file', 'docId', 'docOrigin', 'docAuthor']));
    const kept = await prisma.tenderDocumentFingerprint.findUniqueOrThrow({ where: { tenderId: s.tender.id } });
    expect((kept.documents as unknown as DocumentFacts[]).find((d) => d.name === '投标报价表（格式）.xlsx')?.office).toMatchObject({ creator: '招标代理 刘工' });
  }, 240_000);
});

describe('document fingerprints: each signal', () => {
  const facts = async (name: string, bytes: Uint8Array) => (await readDocumentFacts([{ name, bytes }]))[0];
  const pair = async (a: [string, Uint8Array], b: [string, Uint8Array], names = { A: '甲建设有限公司', B: '乙建设有限公司' }) => {
    const sa: SubmissionView = { bidderOrgId: 'A', bidderName: names.A, documents: [await facts(...a)] };
    const sb: SubmissionView = { bidderOrgId: 'B', bidderName: names.B, documents: [await facts(...b)] };
    return { across: collusionSignals([sa, sb]), within: collusionSignals([sa, { ...sb, bidderOrgId: 'A', bidderName: names.A }]) };
  };
  const t0 = new Date('2026-02-20T10:00:00+08:00');
  const t1 = new Date('2026-02-21T15:30:00+08:00');

  it('fires for each kind across two bidders and never within one; stays silent on distinct files', async () => {
    const cases: [string, () => Promise<[[string, Uint8Array], [string, Uint8Array]]>][] = [
      ['file', async () => { const x = await pdfFile({ text: 'same' }); return [['a.pdf', x], ['b.pdf', x]]; }],
      ['docId', async () => [['a.pdf', await pdfFile({ text: 'one', documentId: 'xmp.did:7A3F9C21E64B11EE' })], ['b.pdf', await pdfFile({ text: 'two', documentId: 'xmp.did:7A3F9C21E64B11EE' })]]],
      ['docId', async () => [['a.pdf', await pdfFile({ text: 'one', trailerId: '8E2F1A0C33D94B7AA1C2D3E4F5061728' })], ['b.pdf', await pdfFile({ text: 'two', trailerId: '8E2F1A0C33D94B7AA1C2D3E4F5061728' })]]],
      ['docOrigin', async () => [['a.pdf', await pdfFile({ text: 'one', author: '王磊', creator: 'WPS 文字', created: t0 })], ['b.pdf', await pdfFile({ text: 'two', author: '王磊', creator: 'WPS 文字', created: t0 })]]],
      ['docOrigin', async () => [['a.xlsx', await xlsxFile({ rows: [[1]], creator: '王磊', lastModifiedBy: '甲', created: t0 })], ['b.xlsx', await xlsxFile({ rows: [[2]], creator: '王磊', lastModifiedBy: '乙', created: t0 })]]],
      ['docAuthor', async () => [['a.xlsx', await xlsxFile({ rows: [[1]], creator: '甲', lastModifiedBy: '赵国栋', created: t0 })], ['b.xlsx', await xlsxFile({ rows: [[2]], creator: '乙', lastModifiedBy: '赵国栋', created: t1 })]]],
      ['docAuthor', async () => [['a.xlsx', await xlsxFile({ rows: [[1]], creator: '甲', lastModifiedBy: '甲', created: t0, company: '江城恒信造价咨询有限公司' })], ['b.xlsx', await xlsxFile({ rows: [[2]], creator: '乙', lastModifiedBy: '乙', created: t1, company: '江城恒信造价咨询有限公司' })]]],
      ['docForeign', async () => [['a.xlsx', await xlsxFile({ rows: [[1]], creator: '甲', lastModifiedBy: '甲', created: t0, company: '乙建设有限公司' })], ['b.xlsx', await xlsxFile({ rows: [[2]], creator: '乙', lastModifiedBy: '乙', created: t1 })]]],
      ['zipSet', async () => {
        const entries = [{ name: '资格证明/营业执照.jpg', data: enc('jpeg bytes '.repeat(50)) }, { name: '资格证明/资质证书.jpg', data: enc('other jpeg '.repeat(60)) }];
        return [['a.zip', zipFile(entries, { deflate: false, time: 0x6000 })], ['b.zip', zipFile(entries, { deflate: true, time: 0x7000 })]];
      }],
    ];
    for (const [kind, make] of cases) {
      const [a, b] = await make();
      const { across, within } = await pair(a, b);
      expect(across.map((x) => x.kind), kind).toContain(kind);
      const hit = across.find((x) => x.kind === kind)!;
      expect(hit.bidders, kind).toEqual(['乙建设有限公司', '甲建设有限公司']);
      if (kind !== 'docForeign') expect(hit.files, kind).toEqual([`乙建设有限公司：${b[0]}`, `甲建设有限公司：${a[0]}`]);
      expect(within, `${kind} within one bidder`).toEqual([]);
      if (kind !== 'file') expect(across.map((x) => x.kind), `${kind}: files differ`).not.toContain('file');
    }
    // Clean: independent files, generic names, same software.
    const clean = await pair(
      ['a.pdf', await pdfFile({ text: 'one', author: 'Administrator', creator: 'Microsoft Word 2019', producer: 'Microsoft Word 2019', created: t0, documentId: 'uuid:aaaaaaaa-0000-0000-0000-000000000001' })],
      ['b.pdf', await pdfFile({ text: 'two', author: 'Administrator', creator: 'Microsoft Word 2019', producer: 'Microsoft Word 2019', created: t1, documentId: 'uuid:bbbbbbbb-0000-0000-0000-000000000002' })],
    );
    expect(clean.across).toEqual([]);
  }, 60_000);

  it('a value found in the tender’s own documents is not evidence', async () => {
    const tenderDoc = await pdfFile({ text: 'tender', author: '招标代理 刘工', creator: 'WPS 文字', created: t0, documentId: 'uuid:cccccccc-0000-0000-0000-000000000003' });
    const filled = async (text: string) => pdfFile({ text, author: '招标代理 刘工', creator: 'WPS 文字', created: t0, documentId: 'uuid:cccccccc-0000-0000-0000-000000000003' });
    const subs: SubmissionView[] = [
      { bidderOrgId: 'A', bidderName: '甲', documents: [await facts('x.pdf', await filled('A')), await facts('招标文件.pdf', tenderDoc)] },
      { bidderOrgId: 'B', bidderName: '乙', documents: [await facts('y.pdf', await filled('B')), await facts('招标文件.pdf', tenderDoc)] },
    ];
    expect(new Set(collusionSignals(subs).map((x) => x.kind))).toEqual(new Set(['file', 'docId', 'docOrigin', 'docAuthor']));
    const base = baselineOf([], [await facts('招标文件.pdf', tenderDoc)]);
    expect(collusionSignals(subs, base)).toEqual([]);
  });

  it('reads large PDFs from their tail only, and says how each file was read', async () => {
    const meta = { text: 'big', author: '陈志远', creator: 'WPS 文字', created: t0, trailerId: '0A1B2C3D4E5F60718293A4B5C6D7E8F9' };
    const classic = await pdfFile(meta);
    const compressed = await pdfFile({ ...meta, objectStreams: true });
    // Limits lowered so that these files count as "large": pdf-lib does not load them.
    const [a, b] = await readDocumentFacts([{ name: 'a.pdf', bytes: classic }, { name: 'b.pdf', bytes: compressed }], { pdfLibMaxBytes: 100 });
    expect(a.pdf).toEqual({ read: 'tail', trailerId: '0a1b2c3d4e5f60718293a4b5c6d7e8f9', author: '陈志远', creator: 'WPS 文字', created: 'D:20260220020000Z', modified: 'D:20260220020000Z' });
    // An Info dictionary inside a compressed object stream is out of reach of the tail reader.
    expect(b.pdf).toEqual({ read: 'tail', trailerId: '0a1b2c3d4e5f60718293a4b5c6d7e8f9' });
    // The per-bid budget: the first file is loaded with pdf-lib, the second only from its tail.
    const [c, d] = await readDocumentFacts([{ name: 'c.pdf', bytes: classic }, { name: 'd.pdf', bytes: classic }], { pdfLibBudgetBytes: classic.length + 10 });
    expect([c.pdf?.read, d.pdf?.read]).toEqual(['pdf-lib', 'tail']);
    // Garbage that claims to be a PDF or a ZIP is recorded by its hash alone.
    const [g, z] = await readDocumentFacts([{ name: 'g.pdf', bytes: enc('%PDF-1.7 not really') }, { name: 'z.zip', bytes: enc('PK\u0003\u0004 truncated') }]);
    expect(g).toMatchObject({ kind: 'pdf', size: 19 });
    expect(g.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(z).toMatchObject({ kind: 'zip' });
    expect(z.zip).toBeUndefined();
  });
});
