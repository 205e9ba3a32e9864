// The contract PDF: generated from the catalog's model contract with the serviceContract template,
// deterministic (both parties sign these exact bytes), and readable as Chinese text.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelClauses, renderContract, type ContractData } from '~/modules/market/contract.server';
import { MODEL_CONTRACT } from '../../prisma/seed/market-catalog';

const data: ContractData = {
  orderCode: 'HT2026-0010', purchaseCode: 'CG2026-0010', projectName: '江城市政务服务中心装修工程结算', projectCode: '2026-420100-48-01-200001',
  itemName: '工程结算审核', itemCode: 'ZJ-003', serviceStandard: '按合同约定及计价规范审核，出具审核报告及审定单。', modelContract: MODEL_CONTRACT, feeBasis: '¥20,000.00 – ¥80,000.00',
  owner: { name: '江城市城市建设投资集团有限公司', creditCode: '91420100MA4K0B0019' }, agency: { name: '长荣工程造价咨询事务所有限公司', creditCode: '91420100MA4K0A0035', legalRep: '郑晓东' },
  feeFen: 6_000_000, timeLimitDays: 10, method: '随机抽取', createdAt: new Date('2026-11-25T02:00:00Z'),
};

describe('service contract', () => {
  it('fills the model clauses and renders the same bytes every time', async () => {
    const clauses = modelClauses(MODEL_CONTRACT, data);
    expect(clauses.map((c) => c.title)).toEqual(['甲方的权利和义务', '乙方的权利和义务', '服务时限与中止', '费用支付', '违约责任', '争议解决', '其他']);
    expect(clauses[3].text).toContain('¥60,000.00（大写：人民币陆万元整）');
    expect(clauses.map((c) => c.text).join('')).not.toMatch(/\{[^}]+\}/);
    const a = await renderContract(data);
    const b = await renderContract(data);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-'));
    const file = path.join(dir, 'c.pdf');
    fs.writeFileSync(file, a);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
    for (const s of ['中介服务合同', 'HT2026-0010', '江城市城市建设投资集团有限公司', '长荣工程造价咨询事务所有限公司', '随机抽取', '陆万元整', '10个工作日', '费用支付']) expect(text).toContain(s.replace(/\s+/g, ''));
  }, 60_000);
});
