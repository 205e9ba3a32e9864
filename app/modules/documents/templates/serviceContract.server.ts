import type { Block, PdfDoc } from '../pdf.server';
import { formatDateCn } from '../datetime';
import { formatFen, formatYuanUpper } from '../money';
import { signatureBlock, verificationBlocks, type IssueInfo, type SignerData } from './shared';

export interface ContractParty {
  name: string;
  /** 统一社会信用代码 */
  creditCode: string;
  address?: string;
  representative?: string;
  contact?: string;
  phone?: string;
}

export interface ContractClause {
  title: string;
  text: string;
}

/** ServiceContract 中介服务合同, between a project owner (甲方) and an agency (乙方). */
export interface ServiceContractData extends IssueInfo {
  contractNo: string;
  project: { name: string; code: string };
  client: ContractParty;
  provider: ContractParty;
  /** The catalog service item, e.g. 环境影响评价报告表编制. */
  serviceItem: string;
  /** How the purchase was made, e.g. 随机抽取 / 竞价选取. */
  selectionMethod: string;
  feeFen: number | bigint;
  /** The uniform fee standard the fee follows. */
  feeBasis: string;
  timeLimitWorkingDays: number;
  serviceStandard: string;
  deliverables: string[];
  clauses?: ContractClause[];
  place: string;
  signers: SignerData[];
}

/** Clauses of the platform's model contract, used when the purchase does not supply its own. */
export const MODEL_SERVICE_CLAUSES: ContractClause[] = [
  {
    title: '甲方的权利和义务',
    text: '甲方应按约定及时向乙方提供开展服务所需的资料和条件，并对资料的真实性负责；有权对服务过程进行监督，对不符合服务标准的成果要求乙方修改完善；应按约定支付服务费用，并在服务完成后通过平台对乙方进行服务评价。',
  },
  {
    title: '乙方的权利和义务',
    text: '乙方应按照国家有关法律法规、技术规范和本合同约定的服务标准，在承诺时限内独立、客观、公正地完成服务，不得转包或违法分包；对服务中知悉的甲方商业秘密负有保密义务；不得以任何形式向甲方或第三方收取本合同约定以外的费用。',
  },
  {
    title: '服务时限',
    text: '服务时限自甲方提供完整资料之日起按工作日计算，法定节假日不计入。因甲方原因或不可抗力导致延误的，时限相应顺延，乙方应在平台如实登记顺延事由。超过承诺时限的，平台自动预警并记入乙方信用档案。',
  },
  {
    title: '费用支付',
    text: '服务费用按平台公布的统一收费标准确定，合同价款为包干价。乙方提交服务成果并经甲方确认后十个工作日内，甲方通过平台一次性支付全部费用。',
  },
  {
    title: '成果验收',
    text: '甲方应在收到服务成果后五个工作日内组织验收；逾期未提出书面异议的，视为验收通过。验收不合格的，乙方应在三个工作日内修改完善并重新提交。',
  },
  {
    title: '违约责任',
    text: '乙方逾期完成服务的，每逾期一个工作日按合同价款的千分之五支付违约金，累计不超过合同价款的百分之十；甲方逾期付款的，每逾期一日按应付未付金额的万分之五支付违约金。因一方违约给对方造成损失的，应予赔偿。',
  },
  {
    title: '争议解决',
    text: '因本合同引起的争议，双方应协商解决；协商不成的，可向项目所在地人民法院提起诉讼。',
  },
  {
    title: '其他',
    text: '本合同通过平台以电子签名方式签订，与纸质合同具有同等法律效力。本合同自双方电子签名之日起生效，合同电子文本及签名数据由平台存证。',
  },
];

const CN_ORDINALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

function ordinal(n: number): string {
  if (n <= 10) return CN_ORDINALS[n - 1];
  if (n < 20) return `十${CN_ORDINALS[n - 11]}`;
  if (n < 100) return `${CN_ORDINALS[Math.floor(n / 10) - 1]}十${n % 10 ? CN_ORDINALS[(n % 10) - 1] : ''}`;
  return String(n);
}

function partyRows(role: string, p: ContractParty): [string, string][] {
  return [
    [role, p.name],
    ['统一社会信用代码', p.creditCode],
    ...(p.address ? [['住所', p.address] as [string, string]] : []),
    ...(p.representative ? [['法定代表人', p.representative] as [string, string]] : []),
    ...(p.contact ? [['联系人', `${p.contact}${p.phone ? `　${p.phone}` : ''}`] as [string, string]] : []),
  ];
}

export function serviceContract(data: ServiceContractData): PdfDoc {
  if (!Number.isInteger(data.timeLimitWorkingDays) || data.timeLimitWorkingDays <= 0) {
    throw new RangeError('The time limit must be a positive whole number of working days');
  }
  const clauses = data.clauses ?? MODEL_SERVICE_CLAUSES;
  const fixed: Block[] = [
    { type: 'heading', text: '第一条　服务事项' },
    {
      type: 'kv',
      rows: [
        ['项目名称', data.project.name],
        ['项目编号', data.project.code],
        ['服务事项', data.serviceItem],
        ['选取方式', data.selectionMethod],
        ['服务成果', data.deliverables.join('；')],
      ],
    },
    { type: 'heading', text: '第二条　服务费用' },
    {
      type: 'kv',
      rows: [
        ['合同价款（小写）', formatFen(data.feeFen)],
        ['合同价款（大写）', `人民币${formatYuanUpper(data.feeFen)}`],
        ['收费依据', data.feeBasis],
      ],
    },
    { type: 'heading', text: '第三条　服务时限' },
    {
      type: 'paragraph',
      indent: true,
      text: `乙方承诺在甲方提供完整资料之日起 ${data.timeLimitWorkingDays} 个工作日内完成全部服务并提交服务成果。`,
    },
    { type: 'heading', text: '第四条　服务标准' },
    { type: 'paragraph', indent: true, text: data.serviceStandard },
  ];
  const numbered: Block[] = clauses.flatMap((c, i): Block[] => [
    { type: 'heading', text: `第${ordinal(i + 5)}条　${c.title}` },
    { type: 'paragraph', indent: true, text: c.text },
  ]);

  return {
    title: '中介服务合同',
    subtitle: `合同编号：${data.contractNo}`,
    header: data.issuer,
    meta: {
      createdAt: data.issuedAt,
      documentId: data.contractNo,
      author: data.issuer,
      subject: `${data.project.name} ${data.serviceItem} 中介服务合同`,
      keywords: ['中介服务合同', data.project.code, data.client.name, data.provider.name],
    },
    blocks: [
      { type: 'kv', rows: [...partyRows('甲方（项目业主）', data.client), ...partyRows('乙方（中介机构）', data.provider)] },
      {
        type: 'paragraph',
        indent: true,
        text: `根据《中华人民共和国民法典》等法律法规，甲方通过网上中介服务超市以${data.selectionMethod}方式选定乙方承担${data.project.name}的${data.serviceItem}服务。双方经平等协商，订立本合同。`,
      },
      ...fixed,
      ...numbered,
      { type: 'paragraph', text: `签订地点：${data.place}　　签订日期：${formatDateCn(data.issuedAt)}` },
      signatureBlock(data.signers),
      ...verificationBlocks(data),
    ],
  };
}
