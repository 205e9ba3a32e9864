// The documents this context issues: the evaluation report (评标报告), the award notice
// (中标通知书) and result notices (中标结果通知书). Each is rendered once, stored by SHA-256 in the
// file store and signed by the platform (detached CMS); experts and the tenderer sign statements
// that name the PDF's SHA-256, so the bytes never change after issue.
import { toBase64 } from '../../../crypto/hash';
import { createHash } from 'node:crypto';
import { getPrisma } from '~/db/index.server';
import { formatDateCn, formatDateTime } from '~/modules/documents/datetime';
import { formatFen, formatYuanUpper } from '~/modules/documents/money';
import { renderPdf, type Block, type PdfDoc } from '~/modules/documents/pdf.server';
import { putBytes } from '~/modules/files/store.server';
import { signAsPlatform } from '~/modules/pki/platform.server';
import type { DrawRecord } from '../../../crypto/draw';
import { chairRuleText, type ChairElection } from './chair';
import type { BidResult } from './results';
import { centiText, METHOD_LABELS, type Criterion } from './types';

const ISSUER = '江城市公共资源交易中心 电子招标投标交易平台';

async function storeSigned(doc: PdfDoc) {
  const pdf = await renderPdf(doc);
  const { sha256 } = await putBytes(pdf);
  const sig = await signAsPlatform(pdf, { detached: true });
  return { sha256, platformSignature: toBase64(sig), size: pdf.length };
}

interface EvaluationRow {
  id: string;
  tenderId: string;
  sectionId: string;
  method: string;
  criteria: unknown;
  drawRecord: unknown;
  drawCommitment: string;
  startedAt: Date | null;
  scheduledAt: Date;
  chairElection?: unknown;
}

export async function buildReport(ev: EvaluationRow, results: BidResult[], at: Date) {
  const prisma = await getPrisma();
  const section = await prisma.tenderSection.findUniqueOrThrow({ where: { id: ev.sectionId }, include: { tender: true } });
  const agent = await prisma.organization.findUnique({ where: { id: section.tender.agentOrgId } });
  const members = await prisma.evaluationMember.findMany({ where: { evaluationId: ev.id }, orderBy: { seq: 'asc' } });
  const experts = await prisma.expert.findMany({ where: { id: { in: members.map((m) => m.expertId) } } });
  const expertOf = new Map(experts.map((e) => [e.id, e]));
  const bids = await prisma.evaluationBid.findMany({ where: { evaluationId: ev.id }, orderBy: { position: 'asc' } });
  const scores = await prisma.evaluationScore.findMany({ where: { evaluationId: ev.id } });
  const clar = await prisma.clarification.findMany({ where: { evaluationId: ev.id }, orderBy: { seq: 'asc' } });
  const opening = await prisma.opening.findUnique({ where: { tenderId: ev.tenderId }, select: { recordSha256: true } });
  const criteria = (ev.criteria as Criterion[]) ?? [];
  const record = ev.drawRecord as DrawRecord | null;
  const accepted = members.filter((m) => m.status === 'accepted');
  const redraws = await prisma.expertRedraw.findMany({ where: { evaluationId: ev.id, drawnAt: { not: null } }, orderBy: { round: 'asc' } });
  const election = (ev.chairElection ?? null) as ChairElection | null;
  const chairMember = election?.chairMemberId ? accepted.find((m) => m.id === election.chairMemberId) : undefined;
  const chairVotes = election?.tally.find((t) => t.memberId === election.chairMemberId)?.votes ?? 0;
  const subjective = criteria.filter((c) => c.kind === 'subjective');

  const blocks: Block[] = [
    {
      type: 'kv',
      rows: [
        ['项目编号', section.tender.code],
        ['项目名称', section.tender.name],
        ['标段', `第${section.seq}标段 ${section.name}`],
        ['招标人', section.tender.tendererName],
        ['招标代理机构', agent?.name ?? '—'],
        ['评标办法', METHOD_LABELS[ev.method] ?? ev.method],
        ['评标时间', `${formatDateTime(ev.startedAt ?? ev.scheduledAt)} 至 ${formatDateTime(at)}`],
        ['开标记录 SHA-256', opening?.recordSha256 ?? '—'],
      ],
    },
    { type: 'heading', text: '一、评标委员会组成' },
    {
      type: 'table',
      columns: [{ title: '序号', width: 34, align: 'center' }, { title: '姓名', width: 60 }, { title: '专家编号', width: 78 }, { title: '职称', width: 70 }, { title: '工作单位' }, { title: '职务', width: 40, align: 'center' }],
      rows: accepted.map((m, i) => {
        const e = expertOf.get(m.expertId)!;
        return [String(i + 1), e.name, e.code, e.title, e.employerName, m.isChair ? '组长' : '成员'];
      }),
    },
    {
      type: 'paragraph',
      text: `评标专家从江城市综合评标专家库中随机抽取。抽取承诺值 ${ev.drawCommitment}，候选名单哈希 ${record?.candidatesHash ?? '—'}，抽取记录可用平台公开的抽取算法独立复算。${
        members.some((m) => m.status === 'declined') ? `抽取后有${members.filter((m) => m.status === 'declined').length}名专家因故不能参加，按抽取记录的候补顺序依次递补。` : ''
      }${redraws.map((r) => `候补用尽后进行第${r.round}轮补抽（承诺值 ${r.commitment}，补抽${r.vacancies}名）。`).join('')}全体成员均已签署回避声明及承诺书。`,
      indent: true,
    },
    {
      type: 'paragraph',
      text:
        election && chairMember
          ? `评标委员会组长由全体成员在平台推选产生：${expertOf.get(chairMember.expertId)!.name}${chairRuleText({ rule: election.rule, members: election.members, cast: election.cast, chairVotes })}，当选组长。得票情况：${election.tally
              .map((t) => `${expertOf.get(accepted.find((m) => m.id === t.memberId)?.expertId ?? '')?.name ?? `第${t.seq}位`} ${t.votes}票`)
              .join('，')}。`
          : '评标委员会组长：未经推选。',
      indent: true,
    },
    { type: 'heading', text: '二、有效投标一览' },
    {
      type: 'table',
      columns: [{ title: '序号', width: 34, align: 'center' }, { title: '投标人' }, { title: '投标报价（元）', width: 120, align: 'right' }],
      rows: bids.map((b) => [String(b.position), b.bidderName, formatFen(b.priceFen)]),
    },
  ];

  const rejected = results.filter((r) => r.rejected);
  blocks.push({ type: 'heading', text: '三、否决投标情况' });
  if (rejected.length === 0) blocks.push({ type: 'paragraph', text: '无。', indent: true });
  else
    blocks.push({
      type: 'table',
      columns: [{ title: '投标人', width: 150 }, { title: '同意否决', width: 60, align: 'center' }, { title: '否决理由及依据' }],
      rows: rejected.map((r) => [r.bidderName, `${r.rejectVotes}/${accepted.length}`, r.rejectReasons.join('；')]),
    });

  blocks.push({ type: 'heading', text: '四、评分汇总与排序' });
  if (ev.method === 'comprehensive') {
    blocks.push({
      type: 'paragraph',
      text: `评分因素：${criteria.map((c) => `${c.label}${c.weight}分`).join('，')}。价格分 = 价格分值 × 评标基准价 / 投标报价，评标基准价为未被否决投标的最低报价；其余因素得分为各评委评分的算术平均值。`,
      indent: true,
    });
    blocks.push({
      type: 'table',
      columns: [{ title: '排序', width: 34, align: 'center' }, { title: '投标人' }, { title: '投标报价（元）', width: 96, align: 'right' }, { title: '价格分', width: 50, align: 'right' }, { title: '评审分', width: 50, align: 'right' }, { title: '总分', width: 50, align: 'right' }],
      rows: results.filter((r) => !r.rejected).map((r) => [String(r.rank), r.bidderName, formatFen(r.priceFen), centiText(r.priceCenti), centiText(r.subjectiveCenti), centiText(r.totalCenti)]),
    });
    blocks.push({
      type: 'table',
      caption: '各评委评审分（不含价格分）',
      columns: [{ title: '投标人' }, ...accepted.map((m) => ({ title: expertOf.get(m.expertId)!.name, width: 52, align: 'right' as const }))],
      rows: bids.map((b) => [
        b.bidderName,
        ...accepted.map((m) => {
          const s = scores.find((x) => x.memberId === m.id && x.evaluationBidId === b.id);
          if (!s) return '—';
          if (s.reject) return '否决';
          const p = (s.points ?? {}) as Record<string, number>;
          return centiText(subjective.reduce((sum, c) => sum + (p[c.key] ?? 0), 0));
        }),
      ]),
    });
  } else {
    blocks.push({ type: 'paragraph', text: '经评审的最低投标价法：通过初步评审和详细评审的投标，按投标报价由低到高排序。', indent: true });
    blocks.push({
      type: 'table',
      columns: [{ title: '排序', width: 34, align: 'center' }, { title: '投标人' }, { title: '投标报价（元）', width: 120, align: 'right' }],
      rows: results.filter((r) => !r.rejected).map((r) => [String(r.rank), r.bidderName, formatFen(r.priceFen)]),
    });
  }

  blocks.push({ type: 'heading', text: '五、澄清事项' });
  if (clar.length === 0) blocks.push({ type: 'paragraph', text: '无。', indent: true });
  else
    blocks.push({
      type: 'table',
      columns: [{ title: '序号', width: 34, align: 'center' }, { title: '投标人', width: 110 }, { title: '澄清问题' }, { title: '答复' }],
      rows: clar.map((c) => [String(c.seq), bids.find((b) => b.id === c.evaluationBidId)?.bidderName ?? '', c.question, c.answer ?? '（未答复）']),
    });

  const cands = results.filter((r) => r.rank !== null && r.rank <= 3);
  blocks.push({ type: 'heading', text: '六、推荐的中标候选人' });
  if (cands.length === 0) blocks.push({ type: 'paragraph', text: '所有投标均被否决，评标委员会建议招标人依法重新招标。', indent: true });
  else
    blocks.push({
      type: 'table',
      columns: [{ title: '排序', width: 50, align: 'center' }, { title: '中标候选人' }, { title: '投标报价（元）', width: 120, align: 'right' }, ...(ev.method === 'comprehensive' ? [{ title: '总分', width: 60, align: 'right' as const }] : [])],
      rows: cands.map((r) => [`第${r.rank}名`, r.bidderName, formatFen(r.priceFen), ...(ev.method === 'comprehensive' ? [centiText(r.totalCenti)] : [])]),
    });
  blocks.push({ type: 'heading', text: '七、评标委员会成员签署' });
  blocks.push({ type: 'note', text: '本报告由评标委员会全体成员使用本人数字证书对报告文件的 SHA-256 摘要进行电子签名（CMS），并加盖平台电子签章。签名数据存于平台，可在评标项目页面下载核验。' });
  blocks.push({ type: 'signatures', signers: accepted.map((m) => ({ role: m.isChair ? '组长' : '成员', name: expertOf.get(m.expertId)!.name })) });

  const doc: PdfDoc = {
    title: '评标报告',
    subtitle: `${section.tender.code} · 第${section.seq}标段`,
    header: ISSUER,
    meta: { createdAt: at, documentId: `PB-${section.tender.code}-${section.seq}`, subject: '评标报告', creator: ISSUER },
    blocks,
  };
  return storeSigned(doc);
}

export interface NoticeFacts {
  kind: 'award' | 'result';
  noticeNo: string;
  tenderCode: string;
  tenderName: string;
  sectionSeq: number;
  sectionName: string;
  tendererName: string;
  agentName: string;
  recipientName: string;
  winnerName: string;
  amountFen: number;
  durationDays?: number | null;
  projectManager?: string | null;
  publicityStart: Date;
  publicityEnd: Date;
  contractDueAt: Date;
  at: Date;
}

export function noticeDoc(f: NoticeFacts): PdfDoc {
  const project = `${f.tenderCode} ${f.tenderName}（第${f.sectionSeq}标段 ${f.sectionName}）`;
  const blocks: Block[] =
    f.kind === 'award'
      ? [
          { type: 'paragraph', text: `${f.recipientName}：` },
          {
            type: 'paragraph',
            indent: true,
            text: `你方参加的${project}投标，经评标委员会评审推荐，并经中标候选人公示（${formatDateCn(f.publicityStart)}至${formatDateCn(f.publicityEnd)}）无异议或异议已答复，确定你方为中标人。`,
          },
          {
            type: 'kv',
            rows: [
              ['中标价', `${formatFen(f.amountFen)}（${formatYuanUpper(f.amountFen)}）`],
              ...(f.durationDays ? ([['工期', `${f.durationDays} 日历天`]] as [string, string][]) : []),
              ...(f.projectManager ? ([['项目经理', f.projectManager]] as [string, string][]) : []),
            ],
          },
          {
            type: 'paragraph',
            indent: true,
            text: `请你方自本通知书发出之日起三十日内，即${formatDateCn(f.contractDueAt)}前，按照招标文件和你方投标文件与招标人订立书面合同，并在合同签订后通过本平台办理合同备案（《招标投标法》第四十六条）。`,
          },
        ]
      : [
          { type: 'paragraph', text: `${f.recipientName}：` },
          {
            type: 'paragraph',
            indent: true,
            text: `感谢你方参加${project}投标。经评标委员会评审推荐、中标候选人公示，本项目中标人为${f.winnerName}，中标价${formatFen(f.amountFen)}。你方未中标。你方缴纳的投标保证金将自本通知书发出之日起五日内原路退还。`,
          },
        ];
  blocks.push({ type: 'signatures', signers: [{ role: '招标人', name: f.tendererName }, { role: '招标代理机构', name: f.agentName }] });
  blocks.push({ type: 'note', text: `本通知书由招标人（代理机构）使用数字证书电子签名，并加盖平台电子签章，与纸质通知书具有同等法律效力。通知书编号 ${f.noticeNo}。` });
  return {
    title: f.kind === 'award' ? '中标通知书' : '中标结果通知书',
    subtitle: `编号 ${f.noticeNo}`,
    header: ISSUER,
    meta: { createdAt: f.at, documentId: f.noticeNo, subject: f.kind === 'award' ? '中标通知书' : '中标结果通知书', creator: ISSUER },
    blocks: [...blocks, { type: 'paragraph', text: formatDateCn(f.at), align: 'right' }],
  };
}

export async function issueNoticePdf(f: NoticeFacts) {
  return storeSigned(noticeDoc(f));
}

export function noticeNoFor(tenderCode: string, sectionSeq: number, kind: 'award' | 'result', index: number) {
  const h = createHash('sha256').update(`${tenderCode}|${sectionSeq}|${kind}|${index}`).digest('hex').slice(0, 6).toUpperCase();
  return `${kind === 'award' ? 'ZB' : 'JG'}-${tenderCode}-${sectionSeq}-${String(index).padStart(2, '0')}${h}`;
}
