// The audit package's public surface: the evidence sink, the hash-chained decision log and its verification.
export { AuditError, type AuditErrorCode } from "./audit-error.js";
export { recordText, safeReporter, type AuditLog } from "./audit-log.js";
export { createEvidence, type Evidence, type EvidenceOptions } from "./evidence.js";
export { openAuditLog, type OpenLogOptions } from "./open-log.js";
export { canonicalJson } from "../canonical-json.js";
export { GENESIS_HASH, type AuditEntry } from "./chain-record.js";
export { createDecisionLog, DEFAULT_MAX_BYTES, type DecisionLog, type DecisionLogOptions } from "./decision-log.js";
export { startDecisionLogThread, type ThreadedDecisionLog } from "./log-thread.js";
export { chainFiles } from "./rotated-files.js";
export { verifyChain, type BreakKind, type VerifyOptions, type VerifyResult } from "./verify.js";
