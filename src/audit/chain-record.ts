// How one record becomes one hash-chained line, and how a line is read back: the format both the writer and the
// verifier depend on.
//
// A line is the canonical JSON (see src/canonical-json.ts) of the record plus three fields the log owns: `seq` (1, 2, …
// with no gaps), `prev` (the `hash` of the line before; 64 zeros for the first record of a chain) and `hash`
// (lowercase hex SHA-256 over the canonical JSON of the line without `hash`). A record's own `seq`, `prev` or `hash`
// members are overwritten.
import { createHash } from "node:crypto";
import { canonicalMembers } from "../canonical-json.js";

/** The `prev` of the first record of a chain. */
export const GENESIS_HASH = "0".repeat(64);

/** Where a record landed in the chain. */
export interface AuditEntry {
  /** Position in the chain, from 1. */
  seq: number;
  /** SHA-256 hex of the record's canonical JSON (with `seq` and `prev`, without `hash`). */
  hash: string;
}

/** A parsed line that carries the chain fields. */
export interface ChainRecord {
  seq: number;
  prev: string;
  hash: string;
  /** The whole parsed object, chain fields included. */
  body: Record<string, unknown>;
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Seals `record` as chain entry `seq` after `prev`: returns its hash and its line (canonical JSON with `hash`,
 * without the trailing newline).
 * @throws TypeError when the record cannot be serialized (cycle, BigInt).
 */
export function sealRecord(record: Record<string, unknown>, seq: number, prev: string): { hash: string; line: string } {
  // All three chain keys sort after every key below "hash": split the members there and splice them in, so the
  // record is serialized once and the line is built without a second sort.
  let head = "";
  let tail = "";
  const chain = [`"prev":"${prev}"`, `"seq":${seq}`];
  const chainKeys = ["prev", "seq"];
  for (const m of canonicalMembers(record, CHAIN_FIELDS)) {
    if (m.key < "hash") {
      head += head ? `,${m.text}` : m.text;
      continue;
    }
    while (chainKeys.length > 0 && m.key > chainKeys[0]!) {
      chainKeys.shift();
      tail += tail ? `,${chain.shift()}` : chain.shift();
    }
    tail += tail ? `,${m.text}` : m.text;
  }
  for (const text of chain) tail += tail ? `,${text}` : text;
  const hash = sha256(head ? `{${head},${tail}}` : `{${tail}}`);
  return { hash, line: head ? `{${head},"hash":"${hash}",${tail}}` : `{"hash":"${hash}",${tail}}` };
}

/** Parses one line; `null` when it is not a JSON object with a valid `seq`, `prev` and `hash`. */
export function parseChainLine(line: string): ChainRecord | null {
  let body: unknown;
  try {
    body = JSON.parse(line);
  } catch {
    return null;
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) return null;
  const { seq, prev, hash } = body as Record<string, unknown>;
  if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 1) return null;
  if (typeof prev !== "string" || !HEX64.test(prev) || typeof hash !== "string" || !HEX64.test(hash)) return null;
  return { seq, prev, hash, body: body as Record<string, unknown> };
}

/** Whether a parsed record's `hash` is the hash of its content (i.e. the record was not edited after sealing). */
export function hashMatches(record: ChainRecord): boolean {
  return sha256(`{${canonicalMembers(record.body, ["hash"]).map((m) => m.text).join(",")}}`) === record.hash;
}

const CHAIN_FIELDS = ["seq", "prev", "hash"] as const;

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
