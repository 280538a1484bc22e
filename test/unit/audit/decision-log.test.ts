// The decision log writes one canonical, hash-chained line per record, in order, and keeps the chain going across
// restarts, torn lines and rotation.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { appendFile, readFile, rename, stat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { AuditError, canonicalJson, chainFiles, createDecisionLog, GENESIS_HASH, verifyChain } from "../../../src/audit/index.js";
import { decision, lines, records, tempDir, writeLog } from "./fixtures/temp-log.js";

test("each line is the canonical JSON of the record with seq, prev and hash, chained from the genesis hash", async (t) => {
  const path = join(await tempDir(t), "audit.jsonl");
  const log = createDecisionLog({ path });
  const first = log.append({ type: "admin", action: "session.terminate", actor: "ops", target: "s-1", reason: "test", time: "t" });
  const second = log.append(decision(2));
  assert.deepEqual([first.seq, second.seq], [1, 2]);
  await log.close();

  const text = await readFile(path, "utf8");
  assert.ok(text.endsWith("\n"));
  const [l1, l2] = await lines(path);
  const r1 = JSON.parse(l1!) as Record<string, unknown>;
  const r2 = JSON.parse(l2!) as Record<string, unknown>;
  assert.equal(l1, canonicalJson(r1), "the line is canonical (sorted keys, no whitespace)");
  assert.equal(l1, '{"action":"session.terminate","actor":"ops",' + `"hash":"${first.hash}","prev":"${GENESIS_HASH}",` + '"reason":"test","seq":1,"target":"s-1","time":"t","type":"admin"}');
  const { hash, ...unhashed } = r1;
  assert.equal(hash, createHash("sha256").update(canonicalJson(unhashed)!).digest("hex"));
  assert.equal(r2.prev, first.hash);
  assert.equal(r2.hash, second.hash);
  assert.deepEqual((await verifyChain([path])).records, 2);
});

test("the log owns seq, prev and hash; any JSON object is accepted", async (t) => {
  const path = join(await tempDir(t), "audit.jsonl");
  const errors: Error[] = [];
  const log = createDecisionLog({ path, onError: (e) => errors.push(e) });
  log.append({ seq: 99, prev: "x", hash: "y", nested: { b: [1, { d: 2, c: undefined }], a: null }, when: new Date(0) });
  const cyclic: Record<string, unknown> = { type: "decision" };
  cyclic.self = cyclic;
  const entry = log.append(cyclic);
  log.append({});
  await log.close();
  const [r1, r2, r3] = await records(path);
  assert.equal(r1!.seq, 1);
  assert.deepEqual(r1!.nested, { a: null, b: [1, { d: 2 }] });
  assert.equal(r1!.when, "1970-01-01T00:00:00.000Z");
  assert.equal(entry.seq, 2);
  assert.equal(r2!.type, "unserializable", "an unserializable record keeps its place in the chain");
  assert.equal((errors[0] as AuditError).code, "audit_record_unserializable");
  assert.equal(r3!.seq, 3);
  assert.equal((await verifyChain([path])).ok, true);
});

test("10 000 appends then one flush: 10 000 valid lines in seq order", async (t) => {
  const path = join(await tempDir(t), "audit.jsonl");
  const log = createDecisionLog({ path });
  for (let i = 1; i <= 10_000; i++) log.append(decision(i));
  await log.flush();
  const seqs = (await records(path)).map((r) => r.seq as number);
  assert.equal(seqs.length, 10_000);
  assert.ok(seqs.every((s, i) => s === i + 1));
  const verdict = await verifyChain([path]);
  assert.deepEqual({ ok: verdict.ok, records: verdict.records }, { ok: true, records: 10_000 });
  await log.close();
});

test("each flush covers every record appended before it, with appends and flushes interleaved", async (t) => {
  const path = join(await tempDir(t), "audit.jsonl");
  const log = createDecisionLog({ path, flushIntervalMs: 5 });
  const checks: Promise<void>[] = [];
  for (let round = 0; round < 200; round++) {
    let seq = 0;
    for (let k = 0; k < 25; k++) seq = log.append(decision(round * 25 + k)).seq;
    checks.push(
      log.flush().then(async () => {
        assert.ok((await lines(path)).length >= seq, `flush after seq ${seq} found it on disk`);
      }),
    );
    if (round % 10 === 0) await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(checks);
  await log.close();
  assert.equal((await verifyChain([path])).records, 5_000);
});

test("writes happen on their own: by the interval, and at once when maxBufferedRecords are waiting", async (t) => {
  const dir = await tempDir(t);
  const timed = createDecisionLog({ path: join(dir, "timed.jsonl"), flushIntervalMs: 20 });
  timed.append(decision(1));
  assert.equal(existsSync(join(dir, "timed.jsonl")) ? (await lines(join(dir, "timed.jsonl"))).length : 0, 0, "append does not write");
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await lines(join(dir, "timed.jsonl"))).length, 1);
  await timed.close();

  const burst = createDecisionLog({ path: join(dir, "burst.jsonl"), flushIntervalMs: 60_000, maxBufferedRecords: 100 });
  for (let i = 1; i <= 250; i++) burst.append(decision(i));
  await new Promise((r) => setTimeout(r, 200));
  assert.ok((await lines(join(dir, "burst.jsonl"))).length >= 200, "full buffers were written without waiting a minute");
  await burst.close();
});

test("close flushes; append after close throws audit_log_closed; close is idempotent", async (t) => {
  const path = join(await tempDir(t), "audit.jsonl");
  const log = createDecisionLog({ path, flushIntervalMs: 60_000 });
  log.append(decision(1));
  await Promise.all([log.close(), log.close()]);
  assert.equal((await lines(path)).length, 1);
  assert.throws(() => log.append(decision(2)), (e: unknown) => e instanceof AuditError && e.code === "audit_log_closed");
  await log.flush();
});

test("the chain continues across a restart", async (t) => {
  const path = join(await tempDir(t), "audit.jsonl");
  await writeLog(path, 5);
  const before = await records(path);
  const log = createDecisionLog({ path });
  const entry = log.append(decision(6));
  await log.close();
  assert.equal(entry.seq, 6);
  const after = await records(path);
  assert.equal(after[5]!.prev, before[4]!.hash);
  assert.deepEqual(await verifyChain([path]), { ok: true, records: 6, files: 1, last: { seq: 6, hash: entry.hash } });
});

test("restart reads only the tail: a file with 8 GiB of (sparse) history opens at once", async (t) => {
  const dir = await tempDir(t);
  await writeLog(join(dir, "small.jsonl"), 2);
  const path = join(dir, "audit.jsonl");
  await writeFile(path, "");
  await truncate(path, 8 * 1024 ** 3);
  await appendFile(path, `\n${await readFile(join(dir, "small.jsonl"), "utf8")}`);
  const log = createDecisionLog({ path });
  assert.equal(log.append(decision(3)).seq, 3, "continues from the last line without reading 8 GiB");
  await log.close();
});

test("a last record cut just before its newline is intact: the newline is added and the chain goes on", async (t) => {
  const path = join(await tempDir(t), "audit.jsonl");
  await writeLog(path, 3);
  await truncate(path, (await stat(path)).size - 1);
  const log = createDecisionLog({ path });
  log.append(decision(4));
  await log.close();
  assert.deepEqual((await records(path)).map((r) => r.seq), [1, 2, 3, 4]);
  assert.equal((await verifyChain([path])).ok, true);
});

test("a torn last line is kept, and a recovery record declaring its length chains from the last intact line", async (t) => {
  const path = join(await tempDir(t), "audit.jsonl");
  await writeLog(path, 3);
  const torn = '{"decision_id":"d-4","hash":"ab';
  await appendFile(path, torn);
  assert.deepEqual((await verifyChain([path])).truncated, { file: path, line: 4 });

  const log = createDecisionLog({ path });
  log.append(decision(5));
  await log.close();
  const all = await lines(path);
  assert.equal(all[3], torn, "the torn bytes stay as evidence");
  const recovery = JSON.parse(all[4]!) as Record<string, unknown>;
  assert.equal(recovery.type, "recovery");
  assert.equal(recovery.truncated_bytes, Buffer.byteLength(torn));
  assert.equal(recovery.seq, 4);
  assert.equal(recovery.prev, JSON.parse(all[2]!).hash);
  const verdict = await verifyChain([path]);
  assert.deepEqual({ ok: verdict.ok, records: verdict.records, truncated: verdict.truncated }, { ok: true, records: 5, truncated: undefined });
});

test("a crash during recovery (torn line, newline, torn recovery) is declared as one region on the next open", async (t) => {
  const path = join(await tempDir(t), "audit.jsonl");
  await writeLog(path, 2);
  await appendFile(path, '{"seq":3,"ha\n{"reason":"torn_l');
  const log = createDecisionLog({ path });
  log.append(decision(9));
  await log.close();
  const verdict = await verifyChain([path]);
  assert.equal(verdict.ok, true, JSON.stringify(verdict));
  assert.equal(verdict.records, 4);
});

test("complete garbage lines at the end are reported, not declared, so the verifier still flags them", async (t) => {
  const path = join(await tempDir(t), "audit.jsonl");
  await writeLog(path, 2);
  await appendFile(path, "garbage\n");
  const errors: Error[] = [];
  const log = createDecisionLog({ path, onError: (e) => errors.push(e) });
  log.append(decision(3));
  await log.close();
  assert.equal((errors[0] as AuditError).code, "audit_tail_corrupt");
  assert.deepEqual((await verifyChain([path])).error?.line, 3);
});

test("rotation: files stay under maxBytes and one chain runs through <path>.1, <path>.2, …, <path>, across restarts", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "audit.jsonl");
  const maxBytes = 4096;
  await writeLog(path, 60, { maxBytes });
  await writeLog(path, 60, { maxBytes });
  const files = await chainFiles(path);
  assert.ok(files.length >= 5, `rotated into ${files.length} files`);
  assert.deepEqual(files.slice(0, 3), [`${path}.1`, `${path}.2`, `${path}.3`]);
  assert.equal(files.at(-1), path);
  for (const f of files) assert.ok((await stat(f)).size <= maxBytes, `${f} within maxBytes`);
  for (let k = 1; k < files.length; k++) {
    const before = (await records(files[k - 1]!)).at(-1)!;
    const first = (await records(files[k]!))[0]!;
    assert.equal(first.prev, before.hash, `${files[k]} continues the chain`);
    assert.equal(first.seq, before.seq + 1);
  }
  const verdict = await verifyChain(files);
  assert.deepEqual({ ok: verdict.ok, records: verdict.records }, { ok: true, records: 120 });
});

test("a crash between a rotation's rename and the new file: the next open continues from the newest rotated file", async (t) => {
  const path = join(await tempDir(t), "audit.jsonl");
  await writeLog(path, 4);
  await rename(path, `${path}.1`);
  const log = createDecisionLog({ path });
  assert.equal(log.append(decision(5)).seq, 5);
  await log.close();
  assert.deepEqual(await chainFiles(path), [`${path}.1`, path]);
  assert.equal((await verifyChain(await chainFiles(path))).records, 5);
});

test("a failing disk goes to onError once, flush rejects, and append never throws", { skip: !existsSync("/dev/full") }, async () => {
  const errors: Error[] = [];
  const log = createDecisionLog({ path: "/dev/full", flushIntervalMs: 5, onError: (e) => errors.push(e) });
  log.append(decision(1));
  await assert.rejects(log.flush(), (e: unknown) => e instanceof AuditError && e.code === "audit_write_failed");
  await new Promise((r) => setTimeout(r, 50));
  log.append(decision(2));
  assert.equal(errors.length, 1, "one report per failure streak");
  await assert.rejects(log.close());
});

test("options out of range fail at creation with audit_invalid_options", () => {
  for (const bad of [{ maxBytes: 0 }, { flushIntervalMs: -1 }, { maxBufferedRecords: 0 }, { maxBytes: Number.NaN }]) {
    assert.throws(() => createDecisionLog({ path: "unused.jsonl", ...bad }), { code: "audit_invalid_options" });
  }
});

test("an unopenable path fails at creation with audit_log_unavailable", async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, "file"), "");
  assert.throws(
    () => createDecisionLog({ path: join(dir, "file", "audit.jsonl") }),
    (e: unknown) => e instanceof AuditError && e.code === "audit_log_unavailable",
  );
});
