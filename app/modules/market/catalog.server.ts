// 中介服务事项目录: kept by the center's administrators; every change is audited.
import { z } from 'zod';
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry, type Actor } from '~/modules/audit/audit.server';
import { now } from '~/modules/clock/clock.server';
import { QUAL_LEVELS, parseYuan } from './constants';
import { parseCsv, toCsv } from './csv';
import { MarketError } from './errors.server';

export const itemSchema = z
  .object({
    code: z.string({ required_error: '请填写事项编码' }).trim().regex(/^[A-Z0-9-]{3,20}$/, '编码为3-20位大写字母、数字或连字符'),
    categoryId: z.string({ required_error: '请选择类别' }).min(1, '请选择类别'),
    name: z.string({ required_error: '请填写事项名称' }).trim().min(2, '请填写事项名称').max(100),
    legalBasis: z.string({ required_error: '请填写设立依据' }).trim().min(2, '请填写设立依据').max(1000),
    approvalItem: z.string({ required_error: '请填写服务的审批事项' }).trim().min(2, '请填写服务的审批事项').max(200),
    qualificationType: z.string({ required_error: '请填写资质类别' }).trim().min(2, '请填写资质类别').max(100),
    qualificationLevel: z.enum(QUAL_LEVELS, { errorMap: () => ({ message: '请选择资质等级' }) }),
    feeKind: z.enum(['fixed', 'range', 'rate'], { errorMap: () => ({ message: '请选择收费方式' }) }),
    feeFixedFen: z.number().int().positive().nullable(),
    feeMinFen: z.number().int().min(0).nullable(),
    feeMaxFen: z.number().int().positive().nullable(),
    feeRatePpm: z.number().int().positive().max(1_000_000).nullable(),
    timeLimitDays: z.number({ invalid_type_error: '请填写承诺时限' }).int('承诺时限为整数个工作日').min(1, '承诺时限至少1个工作日').max(365, '承诺时限不超过365个工作日'),
    serviceStandard: z.string({ required_error: '请填写服务标准' }).trim().min(2, '请填写服务标准').max(5000),
    modelContract: z.string({ required_error: '请填写示范合同文本' }).trim().min(2, '请填写示范合同文本').max(20000),
  })
  .superRefine((v, ctx) => {
    if (v.feeKind === 'fixed' && !v.feeFixedFen) ctx.addIssue({ code: 'custom', path: ['feeFixedFen'], message: '固定收费须填写金额' });
    if (v.feeKind === 'range') {
      if (v.feeMinFen == null || !v.feeMaxFen) ctx.addIssue({ code: 'custom', path: ['feeMaxFen'], message: '区间收费须填写下限和上限' });
      else if (v.feeMinFen > v.feeMaxFen) ctx.addIssue({ code: 'custom', path: ['feeMaxFen'], message: '上限不得低于下限' });
    }
    if (v.feeKind === 'rate') {
      if (!v.feeRatePpm) ctx.addIssue({ code: 'custom', path: ['feeRatePpm'], message: '按比例收费须填写费率' });
      if (v.feeMinFen == null || !v.feeMaxFen) ctx.addIssue({ code: 'custom', path: ['feeMaxFen'], message: '按比例收费须填写最低和最高收费' });
      else if (v.feeMinFen > v.feeMaxFen) ctx.addIssue({ code: 'custom', path: ['feeMaxFen'], message: '最高收费不得低于最低收费' });
    }
  });

export type ItemInput = z.infer<typeof itemSchema>;

export async function listCategories() {
  const prisma = await getPrisma();
  return prisma.serviceCategory.findMany({ orderBy: { sort: 'asc' }, include: { _count: { select: { items: { where: { active: true } } } } } });
}

export async function listItems(opts: { categoryId?: string; q?: string; activeOnly?: boolean } = {}) {
  const prisma = await getPrisma();
  return prisma.serviceItem.findMany({
    where: {
      ...(opts.activeOnly ? { active: true } : {}),
      ...(opts.categoryId ? { categoryId: opts.categoryId } : {}),
      ...(opts.q ? { OR: [{ name: { contains: opts.q } }, { code: { contains: opts.q } }, { approvalItem: { contains: opts.q } }] } : {}),
    },
    include: { category: true },
    orderBy: [{ category: { sort: 'asc' } }, { code: 'asc' }],
  });
}

export async function getItem(id: string) {
  const prisma = await getPrisma();
  return prisma.serviceItem.findUnique({ where: { id }, include: { category: true } });
}

export async function saveItem(actor: Actor, id: string | null, input: ItemInput) {
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    const dup = await tx.serviceItem.findUnique({ where: { code: input.code } });
    if (dup && dup.id !== id) throw new MarketError('事项编码已存在', { code: ['事项编码已存在'] });
    const data = { ...input, updatedAt: now() };
    const before = id ? await tx.serviceItem.findUnique({ where: { id } }) : null;
    const item = id ? await tx.serviceItem.update({ where: { id }, data }) : await tx.serviceItem.create({ data });
    await appendAuditEntry(tx, actor, { action: id ? 'market.catalog.update' : 'market.catalog.create', objectType: 'ServiceItem', objectId: item.id, payload: { before, after: input } });
    return item;
  });
}

export async function setItemActive(actor: Actor, id: string, active: boolean) {
  const prisma = await getPrisma();
  await prisma.$transaction(async (tx) => {
    await tx.serviceItem.update({ where: { id }, data: { active, updatedAt: now() } });
    await appendAuditEntry(tx, actor, { action: active ? 'market.catalog.activate' : 'market.catalog.deactivate', objectType: 'ServiceItem', objectId: id });
  });
}

export const CSV_HEADER = [
  '事项编码', '类别', '事项名称', '设立依据', '服务的审批事项', '资质类别', '最低资质等级', '收费方式',
  '固定收费(元)', '收费下限(元)', '收费上限(元)', '费率(‰)', '承诺时限(工作日)', '服务标准', '示范合同',
];
const FEE_KIND_CODES: Record<string, 'fixed' | 'range' | 'rate'> = { fixed: 'fixed', range: 'range', rate: 'rate', 固定收费: 'fixed', 区间收费: 'range', 按投资额比例: 'rate' };

const y = (fen: number | null) => (fen == null ? '' : (fen / 100).toFixed(2));

export async function exportCatalogCsv(): Promise<string> {
  const items = await listItems();
  return toCsv([
    CSV_HEADER,
    ...items.map((i) => [
      i.code, i.category.name, i.name, i.legalBasis, i.approvalItem, i.qualificationType, i.qualificationLevel, i.feeKind,
      y(i.feeFixedFen), y(i.feeMinFen), y(i.feeMaxFen), i.feeRatePpm == null ? '' : String(i.feeRatePpm / 1000), i.timeLimitDays, i.serviceStandard, i.modelContract,
    ]),
  ]);
}

/**
 * Imports a catalog CSV (the export format). All rows are checked first; nothing is written
 * unless every row is valid, and the reply lists every problem at once (一次性告知).
 */
export async function importCatalogCsv(actor: Actor, text: string): Promise<{ created: number; updated: number }> {
  let rows: string[][];
  try {
    rows = parseCsv(text);
  } catch (e) {
    throw new MarketError(e instanceof Error ? e.message : 'CSV 格式有误');
  }
  if (rows.length < 2) throw new MarketError('CSV 中没有数据行');
  const header = rows[0].map((h) => h.trim());
  if (header.join(',') !== CSV_HEADER.join(',')) throw new MarketError(`表头应为：${CSV_HEADER.join(',')}`);
  const prisma = await getPrisma();
  const categories = await prisma.serviceCategory.findMany();
  const byName = new Map(categories.map((c) => [c.name, c.id]));
  const problems: string[] = [];
  const parsed: ItemInput[] = [];
  rows.slice(1).forEach((r, i) => {
    const line = i + 2;
    const fen = (s: string) => (s.trim() === '' ? null : parseYuan(s));
    const categoryId = byName.get(r[1]?.trim() ?? '');
    if (!categoryId) problems.push(`第${line}行：类别“${r[1]}”不存在`);
    const rate = r[11]?.trim() ? Math.round(Number(r[11]) * 1000) : null;
    const candidate = {
      code: r[0], categoryId: categoryId ?? '', name: r[2], legalBasis: r[3], approvalItem: r[4], qualificationType: r[5], qualificationLevel: r[6],
      feeKind: FEE_KIND_CODES[r[7]?.trim() ?? ''] ?? r[7], feeFixedFen: fen(r[8] ?? ''), feeMinFen: fen(r[9] ?? ''), feeMaxFen: fen(r[10] ?? ''),
      feeRatePpm: rate != null && Number.isFinite(rate) ? rate : null, timeLimitDays: Number(r[12]), serviceStandard: r[13], modelContract: r[14],
    };
    const v = itemSchema.safeParse(candidate);
    if (!v.success) for (const issue of v.error.issues) problems.push(`第${line}行 ${issue.path.join('.')}：${issue.message}`);
    else if (categoryId) parsed.push(v.data);
  });
  const codes = parsed.map((p) => p.code);
  const dups = codes.filter((c, i) => codes.indexOf(c) !== i);
  if (dups.length) problems.push(`事项编码重复：${[...new Set(dups)].join('、')}`);
  if (problems.length) throw new MarketError(`导入未执行，请修正以下问题后重新导入：\n${problems.slice(0, 50).join('\n')}`);
  let created = 0;
  let updated = 0;
  await prisma.$transaction(
    async (tx) => {
      for (const p of parsed) {
        const existing = await tx.serviceItem.findUnique({ where: { code: p.code } });
        if (existing) {
          await tx.serviceItem.update({ where: { id: existing.id }, data: { ...p, updatedAt: now() } });
          updated++;
        } else {
          await tx.serviceItem.create({ data: { ...p, updatedAt: now() } });
          created++;
        }
      }
      await appendAuditEntry(tx, actor, { action: 'market.catalog.import', objectType: 'ServiceItem', payload: { created, updated, codes } });
    },
    { timeout: 60_000 },
  );
  return { created, updated };
}
