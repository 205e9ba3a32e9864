// 中介服务合同: generated with the documents module's serviceContract template from the catalog
// item's model contract (示范合同), as a Chinese PDF. Rendering is deterministic, so the bytes both
// parties sign can be regenerated and checked by anyone holding the data.
import { renderPdf, type PdfDoc } from '~/modules/documents/pdf.server';
import { formatFen, formatYuanUpper } from '~/modules/documents/money';
import { MODEL_SERVICE_CLAUSES, serviceContract, type ContractClause } from '~/modules/documents/templates/serviceContract.server';

export interface ContractData {
  orderCode: string;
  purchaseCode: string | null;
  projectName: string;
  projectCode: string;
  itemName: string;
  itemCode: string;
  serviceStandard: string;
  modelContract: string;
  feeBasis: string;
  owner: { name: string; creditCode: string; address?: string | null; contact?: string | null; phone?: string | null };
  agency: { name: string; creditCode: string; address?: string | null; legalRep?: string | null; contact?: string | null; phone?: string | null };
  feeFen: number;
  timeLimitDays: number;
  method: string;
  createdAt: Date;
}

const PLACEHOLDERS = /\{(甲方|乙方|项目名称|服务事项|服务费大写|服务费|承诺时限|合同编号)\}/g;

export function fillModelContract(text: string, d: ContractData): string {
  const vars: Record<string, string> = {
    甲方: d.owner.name,
    乙方: d.agency.name,
    项目名称: d.projectName,
    服务事项: d.itemName,
    服务费: formatFen(d.feeFen),
    服务费大写: formatYuanUpper(d.feeFen),
    承诺时限: `${d.timeLimitDays}个工作日`,
    合同编号: d.orderCode,
  };
  return text.replace(PLACEHOLDERS, (_, k: string) => vars[k]);
}

/**
 * The catalog's model contract: one clause per line, "标题：正文" (a leading "第N条" is dropped,
 * the template numbers clauses itself). Lines without a title are appended to the previous clause.
 */
export function modelClauses(text: string, d: ContractData): ContractClause[] {
  const out: ContractClause[] = [];
  for (const raw of fillModelContract(text, d).split(/\n+/)) {
    const line = raw.trim().replace(/^第[一二三四五六七八九十百\d]+条\s*/, '');
    if (!line) continue;
    const m = /^([^：:]{2,12})[：:](.+)$/.exec(line);
    if (m) out.push({ title: m[1].trim(), text: m[2].trim() });
    else if (out.length) out[out.length - 1].text += line;
    else out.push({ title: '约定事项', text: line });
  }
  return out.length ? out : MODEL_SERVICE_CLAUSES;
}

export function contractDoc(d: ContractData): PdfDoc {
  return serviceContract({
    issuer: '江城市公共资源交易中心',
    issuedAt: d.createdAt,
    contractNo: d.orderCode,
    project: { name: d.projectName, code: d.projectCode },
    client: { name: d.owner.name, creditCode: d.owner.creditCode, address: d.owner.address ?? undefined, contact: d.owner.contact ?? undefined, phone: d.owner.phone ?? undefined },
    provider: { name: d.agency.name, creditCode: d.agency.creditCode, address: d.agency.address ?? undefined, representative: d.agency.legalRep ?? undefined, contact: d.agency.contact ?? undefined, phone: d.agency.phone ?? undefined },
    serviceItem: `${d.itemName}（目录编码 ${d.itemCode}）`,
    selectionMethod: d.method,
    feeFen: d.feeFen,
    feeBasis: `江城市中介服务事项目录统一收费标准：${d.feeBasis}${d.purchaseCode ? `；采购编号 ${d.purchaseCode}` : ''}`,
    timeLimitWorkingDays: d.timeLimitDays,
    serviceStandard: d.serviceStandard,
    deliverables: [`${d.itemName}成果文件（电子版，经执业人员签章）`],
    clauses: modelClauses(d.modelContract, d),
    place: '江城市公共资源交易平台（网上签订）',
    signers: [
      { role: '甲方（项目业主）', name: d.owner.name },
      { role: '乙方（中介机构）', name: d.agency.name },
    ],
  });
}

export async function renderContract(d: ContractData): Promise<Uint8Array> {
  return renderPdf(contractDoc(d));
}
