/**
 * Seeds a PostgreSQL database for `npm run bench -- market`: the demo catalog, 20,000 approved
 * agencies (with qualifications and every listing they qualify for), 500 owners, 50,000 service
 * orders and 200,000 evaluations (49,000 on accepted orders, 151,000 imported history without an
 * order; decision 082). Rows are generated inside PostgreSQL with generate_series, so seeding takes
 * seconds, not minutes.
 *
 *   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ggzy_bench_market npm run bench:seed [-- --fresh]
 *
 * The database is created if it does not exist and migrated; an existing bench seed is kept unless
 * --fresh is given.
 */
import pg from 'pg';

const AGENCIES = 20_000;
const OWNERS = 500;
const ORDERS = 50_000;
const EVALUATIONS = 200_000;

async function ensureDatabase(url: string) {
  const u = new URL(url);
  const name = u.pathname.slice(1);
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name "${name}" must be a plain identifier`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (!exists.rowCount) await c.query(`CREATE DATABASE ${name}`);
  await c.end();
}

const LEVEL_RANK_SQL = (col: string) => `(CASE ${col} WHEN '综合' THEN 5 WHEN '甲级' THEN 4 WHEN '乙级' THEN 3 WHEN '丙级' THEN 2 WHEN '丁级' THEN 1 ELSE 0 END)`;

export async function seedBench(url: string, fresh: boolean) {
  await ensureDatabase(url);
  process.env.DATABASE_URL = url;
  process.env.LOG_LEVEL ??= 'warn';
  const { openDatabase } = await import('../app/db/db.server.js');
  const { migrate } = await import('../app/db/migrate.server.js');
  const { CATEGORIES, ITEMS, MODEL_CONTRACT, QUAL } = await import('../prisma/seed/market-catalog.js');
  const { DEFAULT_RULES } = await import('../app/modules/credit/rules.js');
  const db = await openDatabase({ url });
  const t0 = performance.now();
  try {
    await migrate(db);
    const [{ n }] = await db.sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM "AgencyProfile" WHERE id LIKE 'bm-a-%'`);
    if (Number(n) >= AGENCIES && !fresh) {
      console.log(`bench data already present (${n} agencies); use --fresh to rebuild`);
      return;
    }
    console.log('clearing market tables…');
    await db.sql.exec(`TRUNCATE "Evaluation", "ServiceOrder", "Listing", "Qualification", "Practitioner", "AgencyProfile", "ServiceItem", "ServiceCategory", "CreditRuleSet" CASCADE`);
    await db.sql.exec(`DELETE FROM "Organization" WHERE id LIKE 'bm-%'`);

    const prisma = db.prisma;
    const now = new Date();
    const catIds = new Map<string, string>();
    for (const [i, c] of CATEGORIES.entries()) catIds.set(c.code, (await prisma.serviceCategory.create({ data: { ...c, sort: i } })).id);
    for (const it of ITEMS) {
      await prisma.serviceItem.create({
        data: {
          code: it.code, categoryId: catIds.get(it.cat)!, name: it.name, legalBasis: it.legalBasis, approvalItem: it.approvalItem,
          qualificationType: it.qualificationType, qualificationLevel: it.qualificationLevel, feeKind: it.fee.kind,
          feeFixedFen: it.fee.kind === 'fixed' ? it.fee.fen : null, feeMinFen: it.fee.kind === 'fixed' ? null : it.fee.min, feeMaxFen: it.fee.kind === 'fixed' ? null : it.fee.max,
          feeRatePpm: it.fee.kind === 'rate' ? it.fee.ppm : null, timeLimitDays: it.days, serviceStandard: it.standard, modelContract: MODEL_CONTRACT, updatedAt: now,
        },
      });
    }
    await prisma.creditRuleSet.create({ data: { version: 1, rules: DEFAULT_RULES, note: 'bench', createdAt: now } });
    const types = Object.values(QUAL);
    const regions = ['江城市江北区', '江城市江南区', '江城市高新区', '江城市临江区', '江城市新港区', '江城市东湖区', '江城市汉阳区', '江城市青山区', '江城县', '临江县', '新洲县', '黄陂县'];
    const prefixes = ['楚天', '华中', '长江', '汉江', '荆楚', '鄂东', '光谷', '东湖', '黄鹤', '江汉', '恒信', '正源', '广厦', '中天', '建科', '同创', '信达', '明德', '宏图', '诚信', '安澜', '远景', '鼎盛', '泰和', '众邦', '博远', '立信', '卓越', '天衡', '九州'];
    const suffixes = ['工程咨询有限公司', '勘察设计有限公司', '测绘地理信息有限公司', '环境科技有限公司', '检测技术有限公司', '项目管理有限公司', '资产评估有限公司', '造价咨询有限公司'];
    const arr = (xs: string[]) => `(ARRAY[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(',')}])`;
    const g = DEFAULT_RULES.gradeMin;
    const grade = (score: string) => `(CASE WHEN ${score} >= ${g.AAA * 100} THEN 'AAA' WHEN ${score} >= ${g.AA * 100} THEN 'AA' WHEN ${score} >= ${g.A * 100} THEN 'A' WHEN ${score} >= ${g.B * 100} THEN 'B' ELSE 'C' END)`;

    const step = async (label: string, sql: string) => {
      const t = performance.now();
      await db.sql.exec(sql);
      console.log(`  ${label} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
    };
    console.log('generating rows in PostgreSQL…');
    await step(`${AGENCIES} agency organizations + ${OWNERS} owners`, `
      INSERT INTO "Organization"(id, name, "creditCode", roles, region, "contactName", phone, affiliates, "createdAt")
      SELECT 'bm-o-' || i, ${arr(prefixes)}[1 + (i * 7) % 30] || ${arr(suffixes)}[1 + (i * 3) % 8] || lpad(i::text, 5, '0'),
             'BMA' || lpad(i::text, 15, '0'), ARRAY['agency'], ${arr(regions)}[1 + (i * 13) % 12], '联系人', '13800000000', '{}', now()
      FROM generate_series(1, ${AGENCIES}) i;
      INSERT INTO "Organization"(id, name, "creditCode", roles, region, affiliates, "createdAt")
      SELECT 'bm-ow-' || i, '江城市第' || i || '建设单位', 'BMO' || lpad(i::text, 15, '0'), ARRAY['owner'], '江城市', '{}', now()
      FROM generate_series(1, ${OWNERS}) i;`);
    await step(`${AGENCIES} approved agency profiles`, `
      INSERT INTO "AgencyProfile"(id, "orgId", name, "creditCode", region, address, "legalRep", "contactName", phone, intro, "licenceNo", status,
                                  "submittedAt", "reviewedAt", "approvedAt", "creditScore", "creditGrade", blacklisted, "ratingAvg", "ratingCount",
                                  "completedOrders", "penaltyCount", "createdAt", "updatedAt")
      SELECT 'bm-a-' || o.i, 'bm-o-' || o.i, org.name, org."creditCode", org.region, org.region || '建设大道' || o.i || '号', '法人', '联系人', '13800000000', '',
             org."creditCode", 'approved', now(), now(), now() - ((o.i % 900) || ' days')::interval, s.score, ${grade('s.score')}, o.i % 97 = 0,
             0, 0, 0, (o.i % 11 = 0)::int, now(), now()
      FROM generate_series(1, ${AGENCIES}) AS o(i)
      JOIN "Organization" org ON org.id = 'bm-o-' || o.i
      CROSS JOIN LATERAL (SELECT 4000 + (abs(hashtext('score' || o.i)) % 5800) AS score) s;`);
    await step('qualifications (1–3 per agency)', `
      INSERT INTO "Qualification"(id, "agencyId", type, level, number, "validFrom", "validUntil", "createdAt")
      SELECT 'bm-q-' || i || '-' || k, 'bm-a-' || i, t.type,
             CASE WHEN t.type IN ('${QUAL.zixun}', '${QUAL.kancha}', '${QUAL.sheji}', '${QUAL.jianli}', '${QUAL.cehui}')
                  THEN (ARRAY['甲级', '乙级', '乙级', '丙级'])[1 + (i + k) % 4] ELSE '不分级' END,
             'Q' || i || '-' || k, now() - interval '400 days', now() + ((200 + (i * k) % 1200) || ' days')::interval, now()
      FROM generate_series(1, ${AGENCIES}) i
      CROSS JOIN generate_series(0, 2) k
      CROSS JOIN LATERAL (SELECT (${arr(types)})[1 + (i + k * 5) % ${types.length}] AS type) t
      WHERE k <= i % 3;`);
    await step('service orders', `
      INSERT INTO "ServiceOrder"(id, code, "ownerOrgId", "agencyId", "itemId", "feeFen", "timeLimitDays", status, "startedAt", "filedAt", "submittedAt", "acceptedAt", "createdAt")
      SELECT 'bm-so-' || i, 'BMHT' || lpad(i::text, 6, '0'), 'bm-ow-' || (1 + i % ${OWNERS}), 'bm-a-' || (1 + (i * 7919) % ${AGENCIES}),
             (SELECT id FROM "ServiceItem" ORDER BY code OFFSET (i % ${ITEMS.length}) LIMIT 1), 1000000 + (i % 50) * 100000, 10,
             CASE WHEN i % 50 = 0 THEN 'in_progress' ELSE 'accepted' END, d, d, CASE WHEN i % 50 <> 0 THEN d + interval '9 days' END,
             CASE WHEN i % 50 <> 0 THEN d + interval '10 days' END, d
      FROM generate_series(1, ${ORDERS}) i
      -- in-progress orders started within the last week, as a live platform would have them
      CROSS JOIN LATERAL (SELECT CASE WHEN i % 50 = 0 THEN now() - ((i % 7) || ' days')::interval ELSE now() - ((30 + i % 720) || ' days')::interval END AS d) x;`);
    await step(`${EVALUATIONS} evaluations`, `
      INSERT INTO "Evaluation"(id, "orderId", "agencyId", "ownerOrgId", quality, timeliness, attitude, "feeCompliance", comment, at)
      SELECT 'bm-e-' || o.id, o.id, o."agencyId", o."ownerOrgId", 3 + abs(hashtext(o.id)) % 3, 2 + abs(hashtext(o.id || 't')) % 4, 4 + abs(hashtext(o.id || 'a')) % 2, 3 + abs(hashtext(o.id || 'f')) % 3, '', o."acceptedAt"
      FROM "ServiceOrder" o WHERE o.status = 'accepted' AND o.id LIKE 'bm-so-%';
      INSERT INTO "Evaluation"(id, "orderId", "agencyId", "ownerOrgId", quality, timeliness, attitude, "feeCompliance", comment, at)
      SELECT 'bm-el-' || i, NULL, 'bm-a-' || (1 + (i * 104729) % ${AGENCIES}), 'bm-ow-' || (1 + i % ${OWNERS}), 1 + abs(hashtext('q' || i)) % 5, 1 + abs(hashtext('t' || i)) % 5,
             2 + abs(hashtext('a' || i)) % 4, 2 + abs(hashtext('f' || i)) % 4, '（历史评价迁移）', now() - ((i % 1500) || ' days')::interval
      FROM generate_series(1, ${EVALUATIONS} - (SELECT count(*) FROM "Evaluation")) i;`);
    await step('ratings and completed orders onto agencies', `
      UPDATE "AgencyProfile" a SET "ratingAvg" = r.avg, "ratingCount" = r.n
      FROM (SELECT "agencyId", avg((quality + timeliness + attitude + "feeCompliance") / 4.0) AS avg, count(*) AS n FROM "Evaluation" GROUP BY "agencyId") r
      WHERE r."agencyId" = a.id;
      UPDATE "AgencyProfile" a SET "completedOrders" = c.n
      FROM (SELECT "agencyId", count(*) AS n FROM "ServiceOrder" WHERE status = 'accepted' GROUP BY "agencyId") c
      WHERE c."agencyId" = a.id;`);
    await step('listings (every item each agency is qualified for)', `
      INSERT INTO "Listing"(id, "agencyId", "itemId", "qualificationId", "discountPct", note, status, "suspendReason", "createdAt", "updatedAt",
                            "categoryId", region, "levelRank", "creditGrade", "creditScore", "ratingAvg", "completedOrders", "agencyName")
      SELECT DISTINCT ON (a.id, it.id) 'bm-l-' || a.id || '-' || it.code, a.id, it.id, q.id, (abs(hashtext(a.id || it.code)) % 3) * 5, '',
             CASE WHEN a.blacklisted THEN 'suspended' ELSE 'active' END, CASE WHEN a.blacklisted THEN '信用：已列入黑名单' END,
             a."approvedAt" + interval '1 day', now(), it."categoryId", a.region, ${LEVEL_RANK_SQL('q.level')}, a."creditGrade", a."creditScore",
             a."ratingAvg", a."completedOrders", a.name
      FROM "AgencyProfile" a
      JOIN "Qualification" q ON q."agencyId" = a.id
      JOIN "ServiceItem" it ON it."qualificationType" = q.type AND ${LEVEL_RANK_SQL('q.level')} >= ${LEVEL_RANK_SQL('it."qualificationLevel"')}
      WHERE a.id LIKE 'bm-a-%'
      ORDER BY a.id, it.id, ${LEVEL_RANK_SQL('q.level')} DESC;`);
    await step('VACUUM ANALYZE', 'VACUUM ANALYZE');
    const counts = await db.sql.query<{ t: string; n: string }>(`
      SELECT 'agencies' t, count(*)::text n FROM "AgencyProfile" UNION ALL SELECT 'listings', count(*)::text FROM "Listing"
      UNION ALL SELECT 'orders', count(*)::text FROM "ServiceOrder" UNION ALL SELECT 'evaluations', count(*)::text FROM "Evaluation"`);
    console.log(counts.map((c) => `${c.t}: ${c.n}`).join(', '));
    console.log(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    await db.close();
  }
}

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('error: set DATABASE_URL to a PostgreSQL database, e.g. postgresql://postgres@127.0.0.1:5432/ggzy_bench_market');
  process.exit(1);
}
seedBench(url, process.argv.includes('--fresh')).catch((e) => {
  console.error(e);
  process.exit(1);
});
