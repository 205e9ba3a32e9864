// The sealed bids of the demo tender about to open (JC-2026-GC-0046), shared by the seed that
// seals them and the e2e test that checks the 唱标 table against them. Plain data, no imports.
export const UPCOMING_CODE = 'JC-2026-GC-0046';

export const UPCOMING_BIDS = [
  { bidder: 'bidder1', org: '江城建工集团有限公司', price: 339_800_000_00, days: 580, pm: '黄伟（一级建造师 鄂142100800123）', broken: false },
  { bidder: 'bidder2', org: '楚天路桥建设有限公司', price: 342_150_000_00, days: 600, pm: '何俊（一级建造师 鄂142100900456）', broken: false },
  // an inner signature that does not verify: rejected at the opening with its reason
  { bidder: 'bidder3', org: '鸿达市政工程有限公司', price: 336_420_000_00, days: 570, pm: '罗娟（一级建造师 鄂142101000789）', broken: true },
  { bidder: 'bidder4', org: '安泰智能科技股份有限公司', price: 348_960_000_00, days: 590, pm: '邓强（一级建造师 鄂142101100246）', broken: false },
] as const;
