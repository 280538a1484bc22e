// The decision log in a worker thread writes exactly the bytes the in-process log writes, and keeps its promises:
// flush and close cover every record appended before them, the chain continues across restarts, errors are reported.
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { AuditError, createDecisionLog, startDecisionLogThread, verifyChain } from "../../../src/audit/index.js";
import { decision, records, tempDir } from "./fixtures/temp-log.js";

/** Records with every value JSON.stringify treats specially, so the round trip through JSON text is exercised. */
function awkward(i: number): Record<string, unknown> {
  return {
    ...decision(i),
    seq: 99,
    prev: "x",
    hash: "y",
    nested: { b: [1, { d: 2, c: undefined }, undefined, () => 1], a: null, z: Number.NaN, n: -0, big: 1e21, tiny: 5e-7 },
    when: new Date(i * 1000),
    text: `ü ☃ 𝄞 \u2028 "quoted" \\ \t\n lone \ud800 ${i}`,
    "10": "integer-like key",
    __proto__: { inherited: "not serialized" },
    boxed: [new Number(3), new String("s"), new Boolean(false)],
  };
}

test("the threaded log writes byte for byte what the in-process log writes", async (t) => {
  const dir = await tempDir(t);
  const inProcess = createDecisionLog({ path: join(dir, "a.jsonl") });
  const threaded = await startDecisionLogThread({ path: join(dir, "b.jsonl") });
  for (let i = 1; i <= 500; i++) {
    const record = i % 2 ? awkward(i) : decision(i);
    inProcess.append(record);
    threaded.append(record);
  }
  await Promise.all([inProcess.close(), threaded.close()]);
  const [a, b] = await Promise.all([readFile(join(dir, "a.jsonl"), "utf8"), readFile(join(dir, "b.jsonl"), "utf8")]);
  assert.equal(b, a);
  assert.deepEqual(await verifyChain([join(dir, "b.jsonl")]), await verifyChain([join(dir, "a.jsonl")]));
});

test("flush covers every record appended before it; close flushes; append after close throws", async (t) => {
  const path = join(await tempDir(t), "audit.jsonl");
  const log = await startDecisionLogThread({ path, flushIntervalMs: 60_000 });
  for (let round = 0; round < 5; round++) {
    for (let k = 1; k <= 100; k++) log.append(decision(round * 100 + k));
    await log.flush();
    assert.equal((await records(path)).length, (round + 1) * 100, "a flush does not wait for the interval");
  }
  log.append(decision(501));
  await log.close();
  await log.close();
  assert.deepEqual((await records(path)).map((r) => r.seq), Array.from({ length: 501 }, (_, i) => i + 1));
  assert.throws(() => log.append(decision(502)), (e: unknown) => e instanceof AuditError && e.code === "audit_log_closed");
});

test("a restarted threaded log continues the chain of the file", async (t) => {
  const path = join(await tempDir(t), "audit.jsonl");
  const first = createDecisionLog({ path });
  for (let i = 1; i <= 3; i++) first.append(decision(i));
  await first.close();
  const log = await startDecisionLogThread({ path });
  log.append(decision(4));
  await log.close();
  assert.deepEqual(await verifyChain([path]), { ok: true, records: 4, files: 1, last: { seq: 4, hash: (await records(path))[3]!.hash } });
});

test("an unserializable record keeps its place as a placeholder and is reported", async (t) => {
  const path = join(await tempDir(t), "audit.jsonl");
  const errors: Error[] = [];
  const log = await startDecisionLogThread({ path, onError: (e) => errors.push(e) });
  const cyclic: Record<string, unknown> = { type: "decision" };
  cyclic.self = cyclic;
  log.append(decision(1));
  log.append(cyclic);
  log.append({ type: "decision", big: 1n });
  log.append(decision(4));
  await log.close();
  const all = await records(path);
  assert.deepEqual(
    all.map((r) => r.type),
    ["decision", "unserializable", "unserializable", "decision"],
  );
  assert.deepEqual(
    errors.map((e) => (e as AuditError).code),
    ["audit_record_unserializable", "audit_record_unserializable"],
  );
  assert.equal((await verifyChain([path])).ok, true);
});

test("an unopenable path fails at start with audit_log_unavailable", async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, "file"), "");
  await assert.rejects(
    startDecisionLogThread({ path: join(dir, "file", "audit.jsonl") }),
    (e: unknown) => e instanceof AuditError && e.code === "audit_log_unavailable",
  );
  await assert.rejects(startDecisionLogThread({ path: join(dir, "x.jsonl"), maxBytes: 0 }), { code: "audit_invalid_options" });
});
