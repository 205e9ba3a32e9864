// The demo service catalog (中介服务事项目录): realistic items in ten categories, with the legal
// basis, the approval item each serves, qualification requirement, uniform fee standard (fen) and
// committed time limit (working days). Amounts are typical of municipal catalogs, not a real one.

export const CATEGORIES: { code: string; name: string }[] = [
  { code: 'GCZX', name: '工程咨询' },
  { code: 'KC', name: '勘察' },
  { code: 'SJ', name: '设计' },
  { code: 'JL', name: '监理' },
  { code: 'HP', name: '环境影响评价' },
  { code: 'CH', name: '测绘' },
  { code: 'ZJ', name: '造价咨询' },
  { code: 'JC', name: '检验检测' },
  { code: 'PG', name: '评估' },
  { code: 'ZB', name: '招标代理' },
];

export const QUAL = {
  zixun: '工程咨询单位资信',
  kancha: '工程勘察资质',
  sheji: '工程设计资质',
  jianli: '工程监理资质',
  huanping: '环境影响评价技术服务机构登记',
  cehui: '测绘资质',
  zaojia: '工程造价咨询',
  jiance: '检验检测机构资质认定（CMA）',
  pinggu: '资产评估机构备案',
  tudi: '土地估价机构备案',
  anping: '安全评价机构资质',
  zhaobiao: '招标代理机构登记',
} as const;

const Y = (yuan: number) => Math.round(yuan * 100);

export const MODEL_CONTRACT = `甲方的权利和义务：甲方应按约定及时向乙方提供开展“{服务事项}”所需的资料和条件，并对资料的真实性负责；对乙方提交的成果在5个工作日内组织验收，不合格的应一次性书面说明全部理由；验收后通过平台对乙方进行服务评价。
乙方的权利和义务：乙方应指派具备相应执业资格的人员承办，按照目录公布的服务标准和国家、行业规范独立、客观、公正地完成服务，对成果的真实性、合法性负责；不得转包或违法分包；保守甲方商业秘密；接受交易中心和行业主管部门监督。
服务时限与中止：乙方承诺在{承诺时限}内提交全部成果。因甲方未按约定提供资料等原因造成的等待期间，经平台登记中止的，不计入服务时限；超过承诺时限的，平台自动预警并记入乙方信用档案。
费用支付：本合同服务费为{服务费}（大写：人民币{服务费大写}），不高于统一收费标准，为包干价。成果验收合格后15个工作日内，甲方一次性支付，乙方不得另行收取任何费用。
违约责任：乙方逾期提交成果的，每逾期一个工作日按服务费的千分之五支付违约金，累计不超过服务费的百分之十；甲方逾期付款的，每逾期一日按应付未付金额的万分之五支付违约金。
争议解决：因本合同（编号{合同编号}）引起的争议，双方协商不成的，向项目所在地人民法院提起诉讼。
其他：本合同由{甲方}与{乙方}使用数字证书在江城市公共资源交易平台签署，与纸质合同具有同等法律效力，合同电子文本及签名数据由平台存证。`;

interface ItemSeed {
  code: string;
  cat: string;
  name: string;
  legalBasis: string;
  approvalItem: string;
  qualificationType: string;
  qualificationLevel: string;
  fee: { kind: 'fixed'; fen: number } | { kind: 'range'; min: number; max: number } | { kind: 'rate'; ppm: number; min: number; max: number };
  days: number;
  standard: string;
}

export const ITEMS: ItemSeed[] = [
  // 工程咨询
  { code: 'GCZX-001', cat: 'GCZX', name: '项目建议书编制', legalBasis: '《政府投资条例》第九条；《工程咨询行业管理办法》', approvalItem: '政府投资项目建议书审批', qualificationType: QUAL.zixun, qualificationLevel: '乙级', fee: { kind: 'rate', ppm: 800, min: Y(20000), max: Y(300000) }, days: 20, standard: '符合《政府投资项目建议书编制规程》，内容包括建设必要性、建设规模、投资估算及资金筹措方案。' },
  { code: 'GCZX-002', cat: 'GCZX', name: '可行性研究报告编制', legalBasis: '《政府投资条例》第十条；《企业投资项目核准和备案管理办法》', approvalItem: '政府投资项目可行性研究报告审批', qualificationType: QUAL.zixun, qualificationLevel: '乙级', fee: { kind: 'rate', ppm: 1500, min: Y(50000), max: Y(800000) }, days: 30, standard: '按国家发展改革委《政府投资项目可行性研究报告编写通用大纲》编制，投资估算误差不超过±10%。' },
  { code: 'GCZX-003', cat: 'GCZX', name: '项目申请报告编制', legalBasis: '《企业投资项目核准和备案管理条例》第六条', approvalItem: '企业投资项目核准', qualificationType: QUAL.zixun, qualificationLevel: '乙级', fee: { kind: 'range', min: Y(30000), max: Y(150000) }, days: 20, standard: '按《项目申请报告通用文本》编制，重点论证资源开发、生态环境、经济社会影响。' },
  { code: 'GCZX-004', cat: 'GCZX', name: '节能评估报告编制', legalBasis: '《固定资产投资项目节能审查办法》（国家发展改革委令第2号）', approvalItem: '固定资产投资项目节能审查', qualificationType: QUAL.zixun, qualificationLevel: '乙级', fee: { kind: 'range', min: Y(20000), max: Y(120000) }, days: 15, standard: '测算项目能源消费量及能效水平，提出节能措施，符合GB/T 31341。' },
  { code: 'GCZX-005', cat: 'GCZX', name: '社会稳定风险评估报告编制', legalBasis: '《国家发展改革委重大固定资产投资项目社会稳定风险评估暂行办法》', approvalItem: '重大项目社会稳定风险评估', qualificationType: QUAL.zixun, qualificationLevel: '乙级', fee: { kind: 'range', min: Y(30000), max: Y(100000) }, days: 20, standard: '开展公众参与调查，识别风险因素并确定风险等级，提出防范化解措施。' },
  // 勘察
  { code: 'KC-001', cat: 'KC', name: '岩土工程详细勘察', legalBasis: '《建设工程勘察设计管理条例》第八条', approvalItem: '施工图设计文件审查', qualificationType: QUAL.kancha, qualificationLevel: '乙级', fee: { kind: 'rate', ppm: 3000, min: Y(30000), max: Y(1500000) }, days: 25, standard: '符合GB 50021《岩土工程勘察规范》，提交勘察报告及原位测试、室内试验成果。' },
  { code: 'KC-002', cat: 'KC', name: '工程水文地质勘察', legalBasis: '《建设工程勘察设计管理条例》第八条', approvalItem: '取水许可', qualificationType: QUAL.kancha, qualificationLevel: '乙级', fee: { kind: 'range', min: Y(40000), max: Y(300000) }, days: 30, standard: '符合GB 50027《供水水文地质勘察规范》。' },
  { code: 'KC-003', cat: 'KC', name: '地质灾害危险性评估', legalBasis: '《地质灾害防治条例》第二十一条', approvalItem: '建设用地预审', qualificationType: QUAL.kancha, qualificationLevel: '乙级', fee: { kind: 'range', min: Y(20000), max: Y(200000) }, days: 20, standard: '按DZ/T 0286《地质灾害危险性评估规范》评估并划分危险性等级。' },
  // 设计
  { code: 'SJ-001', cat: 'SJ', name: '建筑工程施工图设计', legalBasis: '《建设工程勘察设计管理条例》第二十六条', approvalItem: '建筑工程施工许可', qualificationType: QUAL.sheji, qualificationLevel: '乙级', fee: { kind: 'rate', ppm: 25000, min: Y(50000), max: Y(5000000) }, days: 40, standard: '满足《建筑工程设计文件编制深度规定》施工图设计深度要求，通过施工图审查。' },
  { code: 'SJ-002', cat: 'SJ', name: '市政道路初步设计', legalBasis: '《建设工程勘察设计管理条例》', approvalItem: '初步设计审批', qualificationType: QUAL.sheji, qualificationLevel: '乙级', fee: { kind: 'rate', ppm: 15000, min: Y(50000), max: Y(3000000) }, days: 30, standard: '符合CJJ 37《城市道路工程设计规范》，附概算。' },
  { code: 'SJ-003', cat: 'SJ', name: '海绵城市专项设计', legalBasis: '《国务院办公厅关于推进海绵城市建设的指导意见》', approvalItem: '建设工程规划许可', qualificationType: QUAL.sheji, qualificationLevel: '乙级', fee: { kind: 'range', min: Y(20000), max: Y(200000) }, days: 20, standard: '年径流总量控制率等指标满足江城市海绵城市规划要求。' },
  { code: 'SJ-004', cat: 'SJ', name: '建设工程方案设计', legalBasis: '《建筑工程设计招标投标管理办法》', approvalItem: '建设工程设计方案审查', qualificationType: QUAL.sheji, qualificationLevel: '乙级', fee: { kind: 'range', min: Y(50000), max: Y(600000) }, days: 25, standard: '提交总平面、单体方案及效果图，满足方案设计深度规定。' },
  // 监理
  { code: 'JL-001', cat: 'JL', name: '房屋建筑工程施工监理', legalBasis: '《建设工程质量管理条例》第十二条', approvalItem: '建筑工程施工许可', qualificationType: QUAL.jianli, qualificationLevel: '乙级', fee: { kind: 'rate', ppm: 18000, min: Y(30000), max: Y(3000000) }, days: 250, standard: '按GB/T 50319《建设工程监理规范》实施全过程监理，总监理工程师持证上岗。' },
  { code: 'JL-002', cat: 'JL', name: '市政公用工程施工监理', legalBasis: '《建设工程质量管理条例》第十二条', approvalItem: '市政工程施工许可', qualificationType: QUAL.jianli, qualificationLevel: '乙级', fee: { kind: 'rate', ppm: 16000, min: Y(30000), max: Y(3000000) }, days: 200, standard: '按GB/T 50319实施监理，按月报送监理月报。' },
  { code: 'JL-003', cat: 'JL', name: '水利工程施工监理', legalBasis: '《水利工程建设监理规定》', approvalItem: '水利工程开工备案', qualificationType: QUAL.jianli, qualificationLevel: '乙级', fee: { kind: 'rate', ppm: 20000, min: Y(30000), max: Y(2000000) }, days: 180, standard: '按SL 288《水利工程施工监理规范》实施。' },
  // 环评
  { code: 'HP-001', cat: 'HP', name: '环境影响报告书编制', legalBasis: '《中华人民共和国环境影响评价法》第十六条、第十九条', approvalItem: '建设项目环境影响报告书审批', qualificationType: QUAL.huanping, qualificationLevel: '不分级', fee: { kind: 'range', min: Y(80000), max: Y(500000) }, days: 40, standard: '符合HJ 2.1《建设项目环境影响评价技术导则 总纲》，编制人员具有环评工程师职业资格。' },
  { code: 'HP-002', cat: 'HP', name: '环境影响报告表编制', legalBasis: '《中华人民共和国环境影响评价法》第十六条', approvalItem: '建设项目环境影响报告表审批', qualificationType: QUAL.huanping, qualificationLevel: '不分级', fee: { kind: 'range', min: Y(10000), max: Y(60000) }, days: 15, standard: '按《建设项目环境影响报告表编制技术指南》编制。' },
  { code: 'HP-003', cat: 'HP', name: '水土保持方案编制', legalBasis: '《中华人民共和国水土保持法》第二十五条', approvalItem: '生产建设项目水土保持方案审批', qualificationType: QUAL.huanping, qualificationLevel: '不分级', fee: { kind: 'range', min: Y(15000), max: Y(150000) }, days: 20, standard: '符合GB 50433《生产建设项目水土保持技术标准》。' },
  // 测绘
  { code: 'CH-001', cat: 'CH', name: '工程建设项目“多测合一”测绘', legalBasis: '《测绘法》；《自然资源部关于深化规划用地“多审合一、多证合一”改革的通知》', approvalItem: '竣工联合验收、不动产登记', qualificationType: QUAL.cehui, qualificationLevel: '乙级', fee: { kind: 'rate', ppm: 1200, min: Y(10000), max: Y(400000) }, days: 15, standard: '一次委托、统一测绘、成果共享，成果满足规划核实、土地核验、房产测绘和不动产登记要求。' },
  { code: 'CH-002', cat: 'CH', name: '房产测绘（预测绘）', legalBasis: '《房产测量规范》GB/T 17986', approvalItem: '商品房预售许可', qualificationType: QUAL.cehui, qualificationLevel: '丙级', fee: { kind: 'range', min: Y(5000), max: Y(100000) }, days: 10, standard: '面积计算误差满足GB/T 17986二级精度。' },
  { code: 'CH-003', cat: 'CH', name: '建设工程规划放线测量', legalBasis: '《城乡规划法》第四十五条', approvalItem: '建设工程规划许可（放线）', qualificationType: QUAL.cehui, qualificationLevel: '丙级', fee: { kind: 'fixed', fen: Y(8000) }, days: 5, standard: '按CJJ/T 8《城市测量规范》实施，提交放线成果报告。' },
  { code: 'CH-004', cat: 'CH', name: '地形图测绘（1:500）', legalBasis: '《测绘法》第二十二条', approvalItem: '建设用地规划许可', qualificationType: QUAL.cehui, qualificationLevel: '丁级', fee: { kind: 'range', min: Y(3000), max: Y(80000) }, days: 10, standard: '按GB/T 7929《1:500 1:1000 1:2000地形图图式》测绘。' },
  // 造价
  { code: 'ZJ-001', cat: 'ZJ', name: '施工图预算编制', legalBasis: '《建设工程价款结算暂行办法》；《政府投资条例》', approvalItem: '政府投资项目概算核定', qualificationType: QUAL.zaojia, qualificationLevel: '不分级', fee: { kind: 'rate', ppm: 3500, min: Y(5000), max: Y(500000) }, days: 15, standard: '按GB 50500《建设工程工程量清单计价标准》编制，误差不超过±3%。' },
  { code: 'ZJ-002', cat: 'ZJ', name: '工程量清单及招标控制价编制', legalBasis: '《招标投标法实施条例》第二十七条', approvalItem: '施工招标备案', qualificationType: QUAL.zaojia, qualificationLevel: '不分级', fee: { kind: 'range', min: Y(10000), max: Y(100000) }, days: 10, standard: '清单项目特征描述完整，控制价按江城市计价依据编制。' },
  { code: 'ZJ-003', cat: 'ZJ', name: '工程结算审核', legalBasis: '《建设工程价款结算暂行办法》第十四条', approvalItem: '政府投资项目竣工财务决算', qualificationType: QUAL.zaojia, qualificationLevel: '不分级', fee: { kind: 'range', min: Y(20000), max: Y(80000) }, days: 10, standard: '按合同约定及计价规范审核，出具审核报告及审定单。' },
  { code: 'ZJ-004', cat: 'ZJ', name: '全过程造价咨询', legalBasis: '《住房城乡建设部关于推进全过程工程咨询服务发展的指导意见》', approvalItem: '政府投资项目投资控制', qualificationType: QUAL.zaojia, qualificationLevel: '不分级', fee: { kind: 'rate', ppm: 8000, min: Y(50000), max: Y(2000000) }, days: 200, standard: '覆盖概算、预算、合同价款管理、变更签证及结算。' },
  // 检验检测
  { code: 'JC-001', cat: 'JC', name: '建设工程质量检测（主体结构）', legalBasis: '《建设工程质量检测管理办法》（住房城乡建设部令第57号）', approvalItem: '竣工验收备案', qualificationType: QUAL.jiance, qualificationLevel: '不分级', fee: { kind: 'range', min: Y(10000), max: Y(300000) }, days: 15, standard: '按GB 50204等标准抽样检测，出具带CMA标识的检测报告。' },
  { code: 'JC-002', cat: 'JC', name: '室内环境污染物检测', legalBasis: 'GB 50325《民用建筑工程室内环境污染控制标准》', approvalItem: '竣工验收备案', qualificationType: QUAL.jiance, qualificationLevel: '不分级', fee: { kind: 'range', min: Y(3000), max: Y(50000) }, days: 7, standard: '检测甲醛、苯、TVOC、氡等项目。' },
  { code: 'JC-003', cat: 'JC', name: '防雷装置检测', legalBasis: '《气象灾害防御条例》第二十三条', approvalItem: '防雷装置竣工验收', qualificationType: QUAL.jiance, qualificationLevel: '不分级', fee: { kind: 'fixed', fen: Y(6000) }, days: 5, standard: '按GB/T 21431《建筑物防雷装置检测技术规范》检测。' },
  { code: 'JC-004', cat: 'JC', name: '消防设施检测', legalBasis: '《消防法》第十一条；《社会消防技术服务管理规定》', approvalItem: '建设工程消防验收', qualificationType: QUAL.jiance, qualificationLevel: '不分级', fee: { kind: 'range', min: Y(5000), max: Y(150000) }, days: 10, standard: '按GB 25201、GB 50166等标准检测。' },
  // 评估
  { code: 'PG-001', cat: 'PG', name: '国有资产评估', legalBasis: '《中华人民共和国资产评估法》；《企业国有资产评估管理暂行办法》', approvalItem: '国有资产转让、划转备案', qualificationType: QUAL.pinggu, qualificationLevel: '不分级', fee: { kind: 'range', min: Y(10000), max: Y(300000) }, days: 20, standard: '按《资产评估执业准则》执业，由两名以上资产评估师签署报告。' },
  { code: 'PG-002', cat: 'PG', name: '土地估价', legalBasis: '《城镇土地估价规程》GB/T 18508', approvalItem: '国有建设用地出让底价确定', qualificationType: QUAL.tudi, qualificationLevel: '不分级', fee: { kind: 'range', min: Y(8000), max: Y(200000) }, days: 15, standard: '按GB/T 18508估价，报告经土地估价师签署并电子备案。' },
  { code: 'PG-003', cat: 'PG', name: '安全预评价', legalBasis: '《安全生产法》第三十二条；《建设项目安全设施“三同时”监督管理办法》', approvalItem: '建设项目安全条件审查', qualificationType: QUAL.anping, qualificationLevel: '不分级', fee: { kind: 'range', min: Y(20000), max: Y(150000) }, days: 20, standard: '按AQ 8002《安全预评价导则》评价。' },
  // 招标代理
  { code: 'ZB-001', cat: 'ZB', name: '工程施工招标代理', legalBasis: '《中华人民共和国招标投标法》第十三条', approvalItem: '依法必须招标项目招标备案', qualificationType: QUAL.zhaobiao, qualificationLevel: '不分级', fee: { kind: 'range', min: Y(5000), max: Y(200000) }, days: 30, standard: '编制招标文件、组织开评标、发布公告公示，全过程电子化留痕。' },
  { code: 'ZB-002', cat: 'ZB', name: '政府采购代理', legalBasis: '《中华人民共和国政府采购法》第十九条', approvalItem: '政府采购项目实施', qualificationType: QUAL.zhaobiao, qualificationLevel: '不分级', fee: { kind: 'range', min: Y(3000), max: Y(100000) }, days: 25, standard: '按《政府采购货物和服务招标投标管理办法》组织采购。' },
];
