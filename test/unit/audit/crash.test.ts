// A `kill -9` of a process appending to the decision log loses at most the unflushed tail: every record a flush
// confirmed is on disk, the chain verifies, and a reopened log carries it on.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { createDecisionLog, verifyChain } from "../../../src/audit/index.js";
import { lines, tempDir } from "./fixtures/temp-log.js";

const child = fileURLToPath(new URL("./fixtures/append-child.js", import.meta.url));

test("kill -9 while appending: the file is a valid chain holding every flushed record; reopening continues it", async (t) => {
  const path = join(await tempDir(t), "audit.jsonl");
  const proc = spawn(process.execPath, [child, path], { stdio: ["ignore", "pipe", "inherit"] });
  let flushed = 0;
  let output = "";
  const enough = new Promise<void>((resolve, reject) => {
    proc.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      for (const m of output.matchAll(/flushed (\d+)\n/g)) flushed = Math.max(flushed, Number(m[1]));
      if (flushed >= 5_000) resolve();
    });
    proc.on("exit", (code) => reject(new Error(`child exited early (${code})`)));
  });
  await enough;
  // Let it run on past a flush, so the kill lands among unflushed appends.
  await new Promise((r) => setTimeout(r, 30));
  const exited = once(proc, "exit");
  proc.kill("SIGKILL");
  const [, signal] = await exited;
  assert.equal(signal, "SIGKILL");

  const verdict = await verifyChain([path]);
  assert.equal(verdict.ok, true, JSON.stringify(verdict));
  assert.ok(verdict.records >= flushed, `all ${flushed} flushed records survived (${verdict.records} on disk)`);

  const log = createDecisionLog({ path });
  const first = log.append({ type: "admin", action: "restart", actor: "test", target: "log", reason: "after kill -9", time: new Date().toISOString() });
  for (let i = 0; i < 99; i++) log.append({ type: "decision", decision_id: `after-${i}` });
  await log.close();
  const survived = verdict.records + (verdict.truncated ? 1 : 0);
  assert.equal(first.seq, survived + 1, "the chain continues from the last intact record (after a recovery record if the tail was torn)");

  const again = await verifyChain([path]);
  assert.deepEqual({ ok: again.ok, records: again.records, truncated: again.truncated }, { ok: true, records: survived + 100, truncated: undefined });
  if (verdict.truncated) {
    const line = (await lines(path))[verdict.records + 1]!;
    const recovery = JSON.parse(line) as Record<string, unknown>;
    assert.deepEqual([recovery.type, recovery.seq], ["recovery", survived], "the torn tail is declared by a recovery record");
  }
});
