import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { useLoaderData } from '@remix-run/react';
import { getRules } from '~/modules/credit/credit.server';
import { yuan } from '~/modules/market/constants';
import { MarketTabs } from '~/modules/market/ui';
import { formatDateTime } from '~/ui/format';

export const meta: MetaFunction = () => [{ title: '信用评价规则 - 网上中介超市' }];

// Public: the published rules in force (规则公开).
export async function loader(_: LoaderFunctionArgs) {
  const r = await getRules();
  return { rules: r.rules, version: r.version, since: r.createdAt?.toISOString() ?? null };
}

export default function CreditRulesPage() {
  const { rules: x, version, since } = useLoaderData<typeof loader>();
  return (
    <div>
      <h1>中介机构信用评价规则</h1>
      <MarketTabs current="/market/credit-rules" />
      <section className="panel">
        <p className="muted">
          第 {version} 版{since ? `，${formatDateTime(since)} 起施行` : ''}。规则由交易中心制定，每次修改均记入审计日志并重新评定全部机构。
        </p>
        <h2>一、信用分</h2>
        <p>
          信用分 = 基础分 {x.base} + （加权平均评价 − 3）× {x.evaluationFactor} × n/(n+{x.evaluationConfidenceK}) − 超时 {x.overtimePoints} 分/次 − 投诉成立 {x.complaintPoints} 分/起 − 行政处罚/通报扣分 + 表彰加分（合计不超过 {x.commendationCap} 分），取值 0 至 100。
        </p>
        <p>
          每次服务评价取质量、时效、态度、收费规范四项（各1-5分）的平均值；评价的权重随时间衰减，每过 {x.evaluationHalfLifeDays} 天减半，近期评价影响更大。n 为评价次数，评价越多，影响越充分。
        </p>
        <h2>二、信用等级</h2>
        <table className="data">
          <thead>
            <tr>
              <th>等级</th>
              <th>信用分</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>AAA</td>
              <td>≥ {x.gradeMin.AAA}</td>
            </tr>
            <tr>
              <td>AA</td>
              <td>
                {x.gradeMin.AA} – {x.gradeMin.AAA}
              </td>
            </tr>
            <tr>
              <td>A</td>
              <td>
                {x.gradeMin.A} – {x.gradeMin.AA}
              </td>
            </tr>
            <tr>
              <td>B</td>
              <td>
                {x.gradeMin.B} – {x.gradeMin.A}
              </td>
            </tr>
            <tr>
              <td>C</td>
              <td>&lt; {x.gradeMin.B}</td>
            </tr>
          </tbody>
        </table>
        <h2>三、黑名单与清退</h2>
        <ul>
          <li>信用分低于 {x.blacklistBelow} 分，或经查实有串通报价、出具虚假报告等严重失信行为的，列入黑名单：挂牌服务自动暂停，不得参与随机抽取。</li>
          <li>
            {x.clearOutWindowDays} 天内投诉成立达到 {x.clearOutComplaints} 起的，予以清退。
          </li>
          <li>信用等级低于 {x.minDrawGrade} 级的机构不参与随机抽取。</li>
        </ul>
        <h2>四、交易规则</h2>
        <ul>
          <li>预算低于 {yuan(x.directMaxFen)} 的项目可直接选取，达到的须采用随机抽取、竞价选取或比选。</li>
          <li>中选公告发布后 {x.objectionWorkdays} 个工作日为质疑期。</li>
          <li>
            服务时限用至 {Math.round(x.yellowFraction * 100)}% 时黄色预警，达到 {Math.round(x.redFraction * 100)}% 时红色预警并记超时一次。
          </li>
          <li>资质证书到期前 {x.qualificationReminderDays} 天提醒；到期后使用该资质的挂牌服务自动暂停。</li>
          <li>轮换：启用轮换的随机抽取中，近 {x.rotationWindowDays} 天内中选过的机构权重按 1/(1+中选次数) 降低。</li>
        </ul>
      </section>
    </div>
  );
}
