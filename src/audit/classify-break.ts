// Names how a chain breaks at a record that does not link to the one before: dropped, inserted, reordered or edited.
//
// The record's own hash is already known to be right, so what is wrong is its place. `seq` and `prev` together,
// with a look at the records that follow, tell the cases apart:
// - the same slot as the record before (same seq and prev): one of the two was inserted; the one the next record
//   chains from is genuine;
// - the record's predecessor (the record whose hash is its `prev`) comes later: reordered;
// - skipping the record heals the chain, and nothing later chains from it: inserted;
// - seq jumps ahead: reordered if a skipped seq turns up later, dropped otherwise;
// - seq goes backwards: reordered;
// - seq is right but `prev` is not the previous hash: the previous record was altered and its hash recomputed
//   (edited, reported at that previous line).
import type { ChainRecord } from "./chain-record.js";

/** How a chain breaks at its first bad line. */
export type BreakKind = "edited" | "dropped" | "inserted" | "reordered" | "malformed" | "truncated";

/** A line of a file, 1-based. */
export interface LineRef {
  file: string;
  line: number;
}

/** The first bad line and what is wrong with it. */
export interface Break extends LineRef {
  kind: BreakKind;
  message: string;
}

/** Classifies the break at `record`, which does not link to `previous` (the last good record). */
export async function classifyBreak(input: {
  record: ChainRecord;
  at: LineRef;
  expected: { seq: number; prev: string };
  previous: (LineRef & { record: ChainRecord }) | null;
  following: () => Promise<(ChainRecord | null)[]>;
}): Promise<Break> {
  const { record, at, expected, previous } = input;
  const later = (await input.following()).filter((r): r is ChainRecord => r !== null);
  const next = later[0];
  const here = (kind: BreakKind, message: string): Break => ({ ...at, kind, message });
  const seq = record.seq;

  if (previous && seq === previous.record.seq && record.prev === previous.record.prev) {
    if (record.hash !== previous.record.hash && next?.prev === record.hash) {
      return { file: previous.file, line: previous.line, kind: "inserted", message: `seq ${seq} appears twice; the chain continues from the later copy, so this one was inserted` };
    }
    return here("inserted", `seq ${seq} appears twice; this copy was inserted`);
  }
  if (later.some((r) => r.hash === record.prev)) {
    return here("reordered", `seq ${seq} comes before the record it chains from`);
  }
  if (next && next.seq === expected.seq && next.prev === expected.prev && !later.some((r) => r.prev === record.hash)) {
    return here("inserted", `seq ${seq} does not belong here: the chain continues past it from seq ${expected.seq - 1}`);
  }
  if (seq > expected.seq) {
    if (later.some((r) => r.seq >= expected.seq && r.seq < seq)) {
      return here("reordered", `seq ${seq} comes before seq ${expected.seq}`);
    }
    const missing = seq - expected.seq;
    return here("dropped", `expected seq ${expected.seq}, found ${seq}: ${missing} record${missing === 1 ? "" : "s"} missing`);
  }
  if (seq < expected.seq) {
    return here("reordered", `seq goes backwards from ${expected.seq - 1} to ${seq}`);
  }
  if (previous) {
    return {
      file: previous.file,
      line: previous.line,
      kind: "edited",
      message: `seq ${previous.record.seq}: its hash is not the one seq ${seq} chains from (altered and re-hashed)`,
    };
  }
  return here("edited", `seq ${seq}: prev is not the hash that starts the chain`);
}
