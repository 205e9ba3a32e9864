// 组长推选: the committee elects its chair (《评标委员会和评标方法暂行规定》第十七条: 评标委员会设
// 负责人的，由评标委员会成员推举产生). Each accepted member has one vote, cast in the platform after the
// signed no-conflict declaration. The election is decided as soon as one member holds a strict
// majority of the committee, otherwise when everyone has voted: most votes wins, and a tie goes
// to the one drawn first (lowest draw sequence) among the tied. Pure, shared with the browser.

export interface ChairVoter {
  id: string;
  /** Draw order (EvaluationMember.seq). */
  seq: number;
  /** Member voted for, or null while this member has not voted. */
  voteFor: string | null;
}

export interface ChairElection {
  /** Every member with the votes they received, in draw order. */
  tally: { memberId: string; seq: number; votes: number }[];
  votes: { voterSeq: number; forSeq: number }[];
  members: number;
  cast: number;
  /** null while undecided. */
  chairMemberId: string | null;
  chairSeq: number | null;
  /** majority: a strict majority of the committee; plurality: most votes once all voted; tie: tied, the one drawn first. */
  rule: 'majority' | 'plurality' | 'tie' | null;
}

export function tallyChairElection(members: ChairVoter[]): ChairElection {
  const bySeq = [...members].sort((a, b) => a.seq - b.seq);
  const seqOf = new Map(bySeq.map((m) => [m.id, m.seq]));
  const count = new Map(bySeq.map((m) => [m.id, 0]));
  const votes: ChairElection['votes'] = [];
  for (const m of bySeq) {
    if (!m.voteFor || !count.has(m.voteFor)) continue;
    count.set(m.voteFor, count.get(m.voteFor)! + 1);
    votes.push({ voterSeq: m.seq, forSeq: seqOf.get(m.voteFor)! });
  }
  const tally = bySeq.map((m) => ({ memberId: m.id, seq: m.seq, votes: count.get(m.id)! }));
  const base = { tally, votes, members: bySeq.length, cast: votes.length };
  const top = Math.max(0, ...tally.map((t) => t.votes));
  const leaders = tally.filter((t) => t.votes === top && top > 0);
  if (leaders.length === 1 && top * 2 > bySeq.length) return { ...base, chairMemberId: leaders[0].memberId, chairSeq: leaders[0].seq, rule: 'majority' };
  if (bySeq.length === 0 || votes.length < bySeq.length) return { ...base, chairMemberId: null, chairSeq: null, rule: null };
  // Everyone voted and nobody holds a majority: most votes; a tie goes to the one drawn first.
  const winner = leaders[0];
  return { ...base, chairMemberId: winner.memberId, chairSeq: winner.seq, rule: leaders.length > 1 ? 'tie' : 'plurality' };
}

export function chairRuleText(e: Pick<ChairElection, 'rule' | 'members' | 'cast'> & { chairVotes: number }): string {
  if (e.rule === 'majority') return `得 ${e.chairVotes} 票，超过委员会成员（${e.members}人）半数`;
  if (e.rule === 'plurality') return `全体 ${e.members} 名成员投票，得票最多（${e.chairVotes}票）`;
  if (e.rule === 'tie') return `全体 ${e.members} 名成员投票，得票最多者票数相同（各${e.chairVotes}票），按抽取顺序由排序在先者担任`;
  return '推选中';
}
