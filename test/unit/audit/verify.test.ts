// verifyChain names the first bad line of a tampered log and how it was tampered with, and tells a crash's torn
// last line (truncation) from tampering.
import assert from "node:assert/strict";
import { appendFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { canonicalJson, chainFiles, GENESIS_HASH, verifyChain, type VerifyResult } from "../../../src/audit/index.js";
import { sealRecord } from "../../../src/audit/chain-record.js";
import { lines, tempDir, writeLog } from "./fixtures/temp-log.js";

/** A 10-record log whose lines `tamper` rewrites; returns the verdict on the result. */
async function tampered(t: TestContext, tamper: (l: string[]) => string[]): Promise<{ path: string; verdict: VerifyResult }> {
  const path = join(await tempDir(t), "audit.jsonl");
  await writeLog(path, 10);
  await writeFile(path, tamper(await lines(path)).map((l) => `${l}\n`).join(""));
  return { path, verdict: await verifyChain([path]) };
}

/** Line `l` with `change` applied to its record, its hash left as it was or recomputed. */
function edit(l: string, change: (r: Record<string, any>) => void, rehash = false): string {
  const r = JSON.parse(l) as Record<string, any>;
  change(r);
  return rehash ? sealRecord(r, r.seq, r.prev).line : canonicalJson(r)!;
}

function assertBreak(verdict: VerifyResult, path: string, line: number, kind: string): void {
  assert.equal(verdict.ok, false, JSON.stringify(verdict));
  assert.deepEqual({ file: verdict.error?.file, line: verdict.error?.line, kind: verdict.error?.kind }, { file: path, line, kind }, verdict.error?.message);
}

test("an intact chain verifies, with its record count and last hash", async (t) => {
  const { path, verdict } = await tampered(t, (l) => l);
  assert.equal(verdict.ok, true);
  assert.equal(verdict.records, 10);
  assert.equal(verdict.files, 1);
  assert.equal(verdict.last?.hash, JSON.parse((await lines(path))[9]!).hash);
});

test("an edited record is named by its line", async (t) => {
  const { path, verdict } = await tampered(t, (l) => l.map((x, i) => (i === 3 ? edit(x, (r) => (r.result.decision = r.result.decision === "allow" ? "deny" : "allow")) : x)));
  assertBreak(verdict, path, 4, "edited");
});

test("an edited and re-hashed record is named by its line (the next line no longer chains from it)", async (t) => {
  const { path, verdict } = await tampered(t, (l) => l.map((x, i) => (i === 3 ? edit(x, (r) => (r.caller = "someone-else"), true) : x)));
  assertBreak(verdict, path, 4, "edited");
});

test("a dropped record is named at the line where the gap shows", async (t) => {
  const { path, verdict } = await tampered(t, (l) => l.filter((_, i) => i !== 3));
  assertBreak(verdict, path, 4, "dropped");
});

test("dropping the first records is detected at line 1", async (t) => {
  const { path, verdict } = await tampered(t, (l) => l.slice(2));
  assertBreak(verdict, path, 1, "dropped");
});

test("an inserted forged record is named by its line", async (t) => {
  const forged = sealRecord({ type: "admin", action: "session.resume", actor: "mallory" }, 99, "f".repeat(64)).line;
  const { path, verdict } = await tampered(t, (l) => [...l.slice(0, 3), forged, ...l.slice(3)]);
  assertBreak(verdict, path, 4, "inserted");
});

test("an inserted record that chains perfectly from its predecessor is still named by its line", async (t) => {
  const { path, verdict } = await tampered(t, (l) => {
    const third = JSON.parse(l[2]!) as { hash: string };
    const forged = sealRecord({ type: "admin", action: "session.resume", actor: "mallory" }, 4, third.hash).line;
    return [...l.slice(0, 3), forged, ...l.slice(3)];
  });
  assertBreak(verdict, path, 4, "inserted");
});

test("a replayed copy of an earlier line is named as inserted", async (t) => {
  const { path, verdict } = await tampered(t, (l) => [...l.slice(0, 5), l[1]!, ...l.slice(5)]);
  assertBreak(verdict, path, 6, "inserted");
});

test("swapped records are named as reordered at the first displaced line", async (t) => {
  const { path, verdict } = await tampered(t, (l) => [...l.slice(0, 3), l[4]!, l[3]!, ...l.slice(5)]);
  assertBreak(verdict, path, 4, "reordered");
});

test("a record moved earlier is named as reordered", async (t) => {
  const { path, verdict } = await tampered(t, (l) => [l[0]!, l[6]!, ...l.slice(1, 6), ...l.slice(7)]);
  assertBreak(verdict, path, 2, "reordered");
});

test("a line that is not a record is malformed", async (t) => {
  const { path, verdict } = await tampered(t, (l) => l.map((x, i) => (i === 4 ? "not json" : x)));
  assertBreak(verdict, path, 5, "malformed");
});

test("a torn last line is truncation, not tampering: ok with `truncated` set", async (t) => {
  const path = join(await tempDir(t), "audit.jsonl");
  await writeLog(path, 10);
  await appendFile(path, '{"caller":"pep-a","decis');
  const verdict = await verifyChain([path]);
  assert.deepEqual(verdict, { ok: true, records: 10, files: 1, last: verdict.last, truncated: { file: path, line: 11 } });
});

test("a torn line anywhere but the end, with no recovery record declaring it, is tampering", async (t) => {
  const path = join(await tempDir(t), "audit.jsonl");
  await writeLog(path, 3);
  const all = await lines(path);
  await writeFile(path, `${all[0]}\n{"torn\n${all[1]}\n${all[2]}\n`);
  assertBreak(await verifyChain([path]), path, 2, "malformed");
});

test("a recovery record must declare the torn bytes exactly", async (t) => {
  const path = join(await tempDir(t), "audit.jsonl");
  await writeLog(path, 1);
  const [first] = await lines(path);
  const prev = (JSON.parse(first!) as { hash: string }).hash;
  const lying = sealRecord({ type: "recovery", reason: "torn_line", truncated_bytes: 3 }, 2, prev).line;
  await writeFile(path, `${first}\n{"torn-line\n${lying}\n`);
  assertBreak(await verifyChain([path]), path, 2, "malformed");
  const honest = sealRecord({ type: "recovery", reason: "torn_line", truncated_bytes: 11 }, 2, prev).line;
  await writeFile(path, `${first}\n{"torn-line\n${honest}\n`);
  assert.equal((await verifyChain([path])).ok, true);
});

test("across rotated files: dropped lines at a file's end, torn lines between files, files out of order", async (t) => {
  const path = join(await tempDir(t), "audit.jsonl");
  await writeLog(path, 40, { maxBytes: 4096 });
  const files = await chainFiles(path);
  assert.ok(files.length >= 3);
  assert.equal((await verifyChain(files)).ok, true);

  const first = await lines(files[0]!);
  await writeFile(files[0]!, first.slice(0, -1).map((l) => `${l}\n`).join(""));
  assertBreak(await verifyChain(files), files[1]!, 1, "dropped");

  await writeFile(files[0]!, `${first.map((l) => `${l}\n`).join("")}{"torn`);
  assertBreak(await verifyChain(files), files[0]!, first.length + 1, "truncated");

  await writeFile(files[0]!, first.map((l) => `${l}\n`).join(""));
  assertBreak(await verifyChain([files[1]!, files[0]!, ...files.slice(2)]), files[1]!, 1, "reordered");
});

test("partial: a chain whose oldest files were removed verifies only when asked to", async (t) => {
  const path = join(await tempDir(t), "audit.jsonl");
  await writeLog(path, 40, { maxBytes: 4096 });
  const files = (await chainFiles(path)).slice(1);
  assertBreak(await verifyChain(files), files[0]!, 1, "dropped");
  assert.equal((await verifyChain(files, { partial: true })).ok, true);
});

test("empty files and a first record that does not start from the genesis hash", async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, "empty.jsonl"), "");
  assert.deepEqual(await verifyChain([join(dir, "empty.jsonl")]), { ok: true, records: 0, files: 1 });
  const wrongStart = sealRecord({ type: "admin" }, 1, "1".repeat(64)).line;
  await writeFile(join(dir, "a.jsonl"), `${wrongStart}\n`);
  assertBreak(await verifyChain([join(dir, "a.jsonl")]), join(dir, "a.jsonl"), 1, "edited");
  assert.equal(GENESIS_HASH, "0".repeat(64));
});

test("an unreadable file rejects with audit_file_unreadable", async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(verifyChain([join(dir, "missing.jsonl")]), { code: "audit_file_unreadable" });
  await assert.rejects(verifyChain([dir]), { code: "audit_file_unreadable" });
});
