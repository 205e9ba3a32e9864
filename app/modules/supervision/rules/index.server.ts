// Every warning rule, in evaluation order. A rule is a module exporting a WarningRule; add new
// ones here (each needs a test that it fires on its scenario and stays silent on a clean one).
import type { WarningRule } from '../warnings.server';
import { amendmentLateRule } from './amendment-late.server';
import { collusionRule } from './collusion.server';
import { complaintOvertimeRule } from './complaint-overtime.server';
import { deliveryOvertimeRule } from './delivery-overtime.server';
import { feeStandardRule } from './fee-standard.server';
import { openingQuorumRule } from './opening-quorum.server';
import { registrationOvertimeRule } from './registration-overtime.server';
import { registrationReturnedRule } from './registration-returned.server';

export const WARNING_RULES: WarningRule[] = [
  deliveryOvertimeRule,
  registrationOvertimeRule,
  complaintOvertimeRule,
  feeStandardRule,
  registrationReturnedRule,
  amendmentLateRule,
  openingQuorumRule,
  collusionRule,
];

export function ruleById(id: string) {
  return WARNING_RULES.find((r) => r.id === id);
}
