export { renderPdf, documentDigest, columnWidths } from './pdf.server';
export type { PdfDoc, PdfMeta, Block, TableColumn, Signer, Align } from './pdf.server';
export { formatFen, formatYuanUpper } from './money';
export { formatDate, formatDateCn, formatDateTime, formatDateTimeMs } from './datetime';
export { wrapText } from './linebreak';
export { bidReceipt, type BidReceiptData } from './templates/bidReceipt.server';
export {
  openingRecord,
  DECRYPTION_OUTCOME_LABEL,
  DEPOSIT_STATUS_LABEL,
  type OpeningRecordData,
  type DecryptionOutcome,
  type DepositStatus,
} from './templates/openingRecord.server';
export {
  serviceContract,
  MODEL_SERVICE_CLAUSES,
  type ServiceContractData,
  type ContractParty,
  type ContractClause,
} from './templates/serviceContract.server';
export { awardNotice, resultNotice, type AwardNoticeData, type ResultNoticeData } from './templates/notices.server';
export { evaluationReport, rankBids, type EvaluationReportData, type RankedBid } from './templates/evaluationReport.server';
export { statement, statementTotals, type StatementData, type StatementTotals } from './templates/statement.server';
export { monthlyReport, type MonthlyReportData } from './templates/monthlyReport.server';
