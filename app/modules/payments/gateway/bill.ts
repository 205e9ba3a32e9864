// The daily trade bill (业务明细) as Alipay's bill center serves it: a zip holding a detail CSV and a
// summary CSV. Real files are GBK with GBK file names; ours are UTF-8 with a BOM and UTF-8 names
// (flag bit 11), because Node has no GBK encoder and the client decodes both (docs/decisions/030).
import { deflateRawSync } from 'node:zlib';
import { formatAmount, formatShanghai } from './protocol.js';

/** Column layout of the real 业务明细 file (trade bill, 2016 onwards). */
export const BILL_COLUMNS = [
  '支付宝交易号', '商户订单号', '业务类型', '商品名称', '创建时间', '完成时间', '门店编号', '门店名称',
  '操作员', '终端号', '对方账户', '订单金额（元）', '商家实收（元）', '支付宝红包（元）', '集分宝（元）',
  '支付宝优惠（元）', '商家优惠（元）', '券核销金额（元）', '券名称', '商家红包消费金额（元）',
  '卡消费金额（元）', '退款批次号/请求号', '服务费（元）', '分润（元）', '备注',
] as const;

export interface BillLine {
  tradeNo: string;
  outTradeNo: string;
  kind: '交易' | '退款';
  subject: string;
  createdAt: Date;
  finishedAt: Date;
  buyerLogonId: string;
  orderFen: number;
  /** Signed: negative for refunds, as in the real file. */
  receivedFen: number;
  outRequestNo: string;
}

function csvField(v: string): string {
  // Real bills pad every value with a trailing tab so spreadsheet programs keep long numbers as text.
  const s = /[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
  return `${s}\t`;
}

function cnDate(d: Date): string {
  const s = formatShanghai(d);
  return `${s.slice(0, 4)}年${s.slice(5, 7)}月${s.slice(8, 10)}日 ${s.slice(11)}`;
}

export function renderBillDetail(sellerId: string, date: string, lines: BillLine[], exportedAt: Date): string {
  const start = new Date(Date.parse(`${date}T00:00:00+08:00`));
  const end = new Date(start.getTime() + 24 * 3600 * 1000);
  const rows = lines.map((l) =>
    [
      l.tradeNo, l.outTradeNo, l.kind, l.subject, formatShanghai(l.createdAt), formatShanghai(l.finishedAt),
      '', '', '', '', l.buyerLogonId, formatAmount(l.orderFen), formatAmount(l.receivedFen),
      '0.00', '0.00', '0.00', '0.00', '0.00', '', '0.00', '0.00', l.outRequestNo, '0.00', '0.00', '',
    ].map(csvField).join(','),
  );
  const trades = lines.filter((l) => l.kind === '交易');
  const refunds = lines.filter((l) => l.kind === '退款');
  const sum = (ls: BillLine[]) => formatAmount(ls.reduce((a, l) => a + l.receivedFen, 0));
  return [
    '#支付宝业务明细查询',
    `#账号：[${sellerId}0156]`,
    `#起始日期：[${cnDate(start)}]   终止日期：[${cnDate(end)}]`,
    '#-----------------------------------------业务明细列表----------------------------------------',
    BILL_COLUMNS.join(','),
    ...rows,
    '#-----------------------------------------业务明细列表结束------------------------------------',
    `#交易合计：${trades.length}笔，商家实收共：${sum(trades)}元，商家优惠共：0.00元`,
    `#退款合计：${refunds.length}笔，商家实收退款共：${sum(refunds)}元，商家优惠退款共：0.00元`,
    `#导出时间：[${cnDate(exportedAt)}]`,
    '',
  ].join('\r\n');
}

export function renderBillSummary(sellerId: string, date: string, lines: BillLine[], exportedAt: Date): string {
  const trades = lines.filter((l) => l.kind === '交易');
  const refunds = lines.filter((l) => l.kind === '退款');
  const received = lines.reduce((a, l) => a + l.receivedFen, 0);
  return [
    '#支付宝业务汇总查询',
    `#账号：[${sellerId}0156]`,
    `#起始日期：[${date}]`,
    '#-----------------------------------------业务汇总列表----------------------------------------',
    '门店编号,门店名称,交易订单总笔数,退款订单总笔数,订单金额（元）,商家实收（元）,支付宝优惠（元）,商家优惠（元）,卡消费金额（元）,服务费（元）,分润（元）,实收净额（元）',
    ['', '合计', String(trades.length), String(refunds.length),
      formatAmount(trades.reduce((a, l) => a + l.orderFen, 0)), formatAmount(received),
      '0.00', '0.00', '0.00', '0.00', '0.00', formatAmount(received)].join(','),
    '#-----------------------------------------业务汇总列表结束------------------------------------',
    `#导出时间：[${cnDate(exportedAt)}]`,
    '',
  ].join('\r\n');
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function dosTime(d: Date): { time: number; date: number } {
  const s = formatShanghai(d);
  const [y, mo, da, h, mi, se] = [s.slice(0, 4), s.slice(5, 7), s.slice(8, 10), s.slice(11, 13), s.slice(14, 16), s.slice(17, 19)].map(Number);
  return { time: (h << 11) | (mi << 5) | (se >> 1), date: ((y - 1980) << 9) | (mo << 5) | da };
}

/** A minimal PKZIP writer (deflate, UTF-8 names): enough for the bill archive. */
export function zipFiles(files: { name: string; data: Buffer }[], at: Date): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  const { time, date } = dosTime(at);
  for (const f of files) {
    const name = Buffer.from(f.name, 'utf8');
    const comp = deflateRawSync(f.data);
    const crc = crc32(f.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(comp.length, 18);
    local.writeUInt32LE(f.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(date, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(comp.length, 20);
    central.writeUInt32LE(f.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, comp);
    centrals.push(central, name);
    offset += local.length + name.length + comp.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export function buildBillZip(sellerId: string, date: string, lines: BillLine[], exportedAt: Date): { fileName: string; zip: Buffer } {
  const stem = `${sellerId}0156_${date.replaceAll('-', '')}`;
  const zip = zipFiles(
    [
      { name: `${stem}_业务明细.csv`, data: Buffer.concat([BOM, Buffer.from(renderBillDetail(sellerId, date, lines, exportedAt), 'utf8')]) },
      { name: `${stem}_业务明细(汇总).csv`, data: Buffer.concat([BOM, Buffer.from(renderBillSummary(sellerId, date, lines, exportedAt), 'utf8')]) },
    ],
    exportedAt,
  );
  return { fileName: `${stem}.csv.zip`, zip };
}
