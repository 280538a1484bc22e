// `npm run audit:query` over a decision log written by the real service: what one credential touched (exactly its
// sessions), by identity through the delegation chain, time bounds, rotated files, and a tampered log refused with
// the first bad line named.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { startApp, type RunningApp } from "../../helpers/app.js";

const CLI = "dist/src/main.js";

function query(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, "audit-query", ...args], { encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("audit:query", () => {
  let svc: RunningApp;
  const sessionsOf = new Map<string, Set<string>>();
  before(async () => {
    svc = await startApp();
    const creds = ["key-a", "key-b", "key-c"];
    for (let i = 0; i < 60; i++) {
      const cred = creds[i % 3]!;
      const session = `s-q-${cred}-${i % 4}`;
      if (!sessionsOf.has(cred)) sessionsOf.set(cred, new Set());
      sessionsOf.get(cred)!.add(session);
      const r = await svc.post("/decide", {
        session: { id: session },
        event: "retrieval",
        identity: {
          id: "agent:support-summarizer",
          type: "agent",
          credential: { id: cred, type: "api_key", issued_at: new Date(Date.now() - 3600_000).toISOString() },
          on_behalf_of: [{ id: "user:dana", type: "human" }],
        },
        action: "read",
        resource: { id: "dataset:support-cases", type: "dataset" },
        purpose: "customer_support",
        data: { classification: "confidential", text: `case ${i}` },
      });
      assert.equal(r.status, 200);
    }
    await svc.app.close();
  });
  after(async () => {
    await svc?.close();
  });

  test("a credential's usage lists exactly its sessions, in JSON and as a summary", () => {
    const r = query("--credential", "key-b", "--json", svc.auditPath);
    assert.equal(r.code, 0, r.err);
    const answer = JSON.parse(r.out);
    assert.equal(answer.verify.ok, true);
    assert.equal(answer.summary.decisions, 20);
    assert.deepEqual(answer.summary.sessions, [...sessionsOf.get("key-b")!].sort());
    assert.deepEqual(answer.summary.credentials, ["key-b"]);
    assert.deepEqual(answer.summary.resources, ["dataset:support-cases"]);
    assert.ok(answer.decisions.every((d: { credential: string }) => d.credential === "key-b"));
    const text = query("--credential", "key-b", svc.auditPath);
    assert.equal(text.code, 0);
    assert.match(text.out, /^chain verified: \d+ records in 1 file/m);
    assert.match(text.out, /^decisions: 20 /m);
  });

  test("an identity matches where it stands in the delegation chain; --since and --until bound the time", () => {
    const r = query("--identity", "user:dana", "--json", svc.auditPath);
    assert.equal(JSON.parse(r.out).summary.decisions, 60);
    const none = query("--identity", "user:dana", "--until", "2000-01-01T00:00:00Z", "--json", svc.auditPath);
    assert.equal(JSON.parse(none.out).summary.decisions, 0);
  });

  test("a tampered log is refused with the first bad line named (exit 1)", () => {
    const lines = readFileSync(svc.auditPath, "utf8").split("\n");
    lines[9] = lines[9]!.replace('"retrieval"', '"prompt"');
    writeFileSync(svc.auditPath, lines.join("\n"));
    const r = query("--credential", "key-a", svc.auditPath);
    assert.equal(r.code, 1);
    assert.match(r.out, /CHAIN BROKEN at .*:10 \(edited\)/);
  });

  test("usage errors exit 2 and say what is missing", () => {
    assert.equal(query(svc.auditPath).code, 2);
    assert.match(query("--credential", "x").err, /no log file/);
    assert.match(query("--since", "soon", "--credential", "x", svc.auditPath).err, /ISO 8601/);
  });
});
