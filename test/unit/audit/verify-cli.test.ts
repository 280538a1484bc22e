// The audit:verify command (`main.js audit-verify`): exit 0 with a one-line summary on an intact chain, 1 naming the
// first bad file:line and kind, 2 on usage errors.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { lines, tempDir, writeLog } from "./fixtures/temp-log.js";

const main = fileURLToPath(new URL("../../../src/main.js", import.meta.url));

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [main, "audit-verify", ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("exit 0 and a one-line summary for an intact chain; one path covers its rotated files", async (t) => {
  const path = join(await tempDir(t), "audit.jsonl");
  await writeLog(path, 40, { maxBytes: 4096 });
  const r = run(path);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split("\n").length, 1);
  assert.match(r.stdout, /^OK 40 records in \d+ files, last seq 40 hash [0-9a-f]{64}\n$/);
  assert.doesNotMatch(r.stdout, /in 1 file\b/);
});

test("exit 1 naming the first bad file:line and the kind", async (t) => {
  const path = join(await tempDir(t), "audit.jsonl");
  await writeLog(path, 5);
  const all = await lines(path);
  await writeFile(path, [all[0], all[2], all[3], all[4]].map((l) => `${l}\n`).join(""));
  const r = run(path);
  assert.equal(r.status, 1);
  assert.match(r.stdout, new RegExp(`^BROKEN ${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2 dropped: `));
});

test("a torn last line is reported but exits 0", async (t) => {
  const path = join(await tempDir(t), "audit.jsonl");
  await writeLog(path, 2);
  await writeFile(path, `${(await lines(path)).join("\n")}\n{"tor`);
  const r = run(path);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /torn last line at .*:3/);
});

test("exit 2 on usage errors: no file, unknown option, unreadable file", async (t) => {
  const dir = await tempDir(t);
  const none = run();
  assert.equal(none.status, 2);
  assert.match(none.stderr, /usage: audit:verify/);
  assert.equal(run("--frobnicate", join(dir, "x")).status, 2);
  const missing = run(join(dir, "missing.jsonl"));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /cannot read .*missing\.jsonl/);
  assert.equal(run(dir, join(dir, "missing.jsonl")).status, 2);
});
