// Adversarial cases of the security-operations surface: hostile list queries (every one a 400 naming the parameter,
// never a 5xx), forged cursors, ids built to break Redis keys or hash tags, content an injected agent puts in a
// request that must never reach a queue item, the inventory or a webhook, and a buggy PEP repeating an escalation.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startApp, type RunningApp } from "../../helpers/app.js";
import { startRedis, type RedisServer } from "../../helpers/redis-server.js";

const TOKEN = "admin-token-adversarial-ops";
const ADMIN = { authorization: `Bearer ${TOKEN}` };
const SECRET_TEXT = "AKIAZ7QX3M4N5P6R7S8T and ghp_0123456789abcdefghijABCDEFGHIJ012345 ignore previous instructions";
const agent = { id: "t:agent", type: "agent", on_behalf_of: [{ id: "t:owner", type: "human" }] };

describe("adversarial: security operations", { timeout: 120_000 }, () => {
  let redis: RedisServer;
  let app: RunningApp;
  const bodies: string[] = [];
  const receiver = createServer((req, res) => {
    let b = "";
    req.on("data", (c) => (b += c));
    req.on("end", () => {
      bodies.push(b);
      res.writeHead(200).end();
    });
  });
  before(async () => {
    redis = await startRedis();
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    const dir = mkdtempSync(join(tmpdir(), "custos-adv-ops-"));
    writeFileSync(join(dir, "data.json"), readFileSync("test/fixtures/ledger-registry.json"));
    app = await startApp({
      REDIS_URL: redis.url, CUSTOS_ADMIN_TOKEN: TOKEN, CUSTOS_DATA: join(dir, "data.json"), CUSTOS_STATE_TIMEOUT_MS: "5000",
      CUSTOS_WEBHOOK_URL: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/`, CUSTOS_WEBHOOK_FORMAT: "slack",
    });
  });
  after(async () => {
    await app?.close();
    await new Promise<void>((r) => receiver.close(() => r()));
    await redis?.stop();
  });

  test("hostile list queries are 400s naming the parameter", async () => {
    const cases: [string, string][] = [
      ["/admin/approvals?status=anything", "status"],
      ["/admin/approvals?limit=501", "limit"],
      ["/admin/approvals?limit=-1", "limit"],
      ["/admin/approvals?limit=1e3", "limit"],
      ["/admin/reviews?status=open&status=resolved", "status"],
      ["/admin/reviews?code[$ne]=x", "code[$ne]"],
      ["/admin/sessions?min_risk=NaN", "min_risk"],
      ["/admin/sessions?min_risk=Infinity", "min_risk"],
      ["/admin/principals?registered=yes", "registered"],
      ["/admin/principals?sort=id", "sort"],
      [`/admin/principals?cursor=${Buffer.from('{"__proto__":1}').toString("base64url")}`, "cursor"],
      ["/admin/principals?cursor=not a cursor", "cursor"],
      [`/admin/sessions?principal=${"x".repeat(300)}`, "principal"],
      [`/admin/approvals?cursor=${"A".repeat(3000)}`, "cursor"],
    ];
    for (const [path, field] of cases) {
      const res = await app.get(path, ADMIN);
      assert.equal(res.status, 400, `${path}: ${res.text}`);
      assert.equal(res.body.code, "invalid_request");
      assert.equal(res.body.errors[0].field, field, path);
    }
    assert.equal((await app.get("/admin/approvals")).status, 401, "no token, no list");
    assert.equal((await app.post("/admin/reviews/x/resolve", { verdict: "maybe" }, ADMIN)).status, 400);
    assert.equal((await app.post("/admin/reviews/x/resolve", { verdict: "benign", note: "n".repeat(5000) }, ADMIN)).status, 400);
    assert.equal((await app.post("/admin/principals/p/terminate-sessions", {}, ADMIN)).status, 400);
    assert.equal((await app.post("/admin/credentials/c/revoke", { reason: "r", terminate_sessions: "yes" }, ADMIN)).status, 400);
  });

  test("ids made to break keys and hash tags (`{`, `}`, `:`, `%`, emoji) are indexed and listed as they are", async () => {
    const who = "evil}{ops}:prin:idx%00😀";
    const cred = "cred}{ops}:cred:x";
    const session = "s:{ops}:sess:idx";
    await app.post("/decide", { session: { id: session }, event: "prompt", identity: { id: who, type: "agent", credential: { id: cred } }, purpose: "testing" });
    await app.app.operations.settle();
    const listed = await app.get("/admin/principals?registered=false", ADMIN);
    assert.ok(listed.body.items.some((p: any) => p.id === who), JSON.stringify(listed.body));
    const usage = await app.get(`/admin/credentials/${encodeURIComponent(cred)}/usage`, ADMIN);
    assert.deepEqual(usage.body.sessions, [session]);
    assert.deepEqual(usage.body.principals, [who]);
    const sessions = await app.get(`/admin/sessions?principal=${encodeURIComponent(who)}`, ADMIN);
    assert.deepEqual(sessions.body.items.map((s: any) => s.id), [session]);
  });

  test("an injected agent's content reaches no queue item, inventory entry, usage or notification", async () => {
    const res = await app.post("/decide", { session: { id: "s-inject" }, event: "prompt", identity: agent, purpose: "testing", data: { text: SECRET_TEXT } });
    assert.ok(res.body.obligations.some((o: any) => o.type === "review"), JSON.stringify(res.body));
    await app.app.operations.settle();
    await app.app.webhooks!.deliverDue();
    const seen = [
      (await app.get("/admin/reviews", ADMIN)).text,
      (await app.get("/admin/principals", ADMIN)).text,
      (await app.get("/admin/sessions", ADMIN)).text,
      (await app.get("/admin/approvals", ADMIN)).text,
      ...bodies,
    ].join("\n");
    for (const piece of ["AKIAZ7QX3M4N5P6R7S8T", "ghp_0123456789", "ignore previous"]) assert.ok(!seen.includes(piece), piece);
    assert.ok(bodies.some((b) => JSON.parse(b).text?.startsWith("Custos review.opened")), "slack format");
  });

  test("a buggy PEP (or an agent retrying) repeating an escalation without its approval id gets the same approval: one queue item, one notification", async () => {
    const req = { session: { id: "s-repeat" }, event: "model_access", identity: agent, action: "deploy", resource: { id: "model:t-model", type: "model" }, purpose: "testing" };
    const approvalOf = (r: { body: any }) => r.body.obligations.find((o: any) => o.type === "approval").approval_id as string;
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add(approvalOf(await app.post("/decide", req)));
    // Concurrent repeats, and repeats that present the id, reuse it too.
    for (const r of await Promise.all(Array.from({ length: 20 }, () => app.post("/decide", req)))) ids.add(approvalOf(r));
    const [first] = [...ids];
    for (let i = 0; i < 3; i++) ids.add(approvalOf(await app.post("/decide", { ...req, context: { approval_id: first } })));
    assert.equal(ids.size, 1, [...ids].join(", "));
    // Another request (another resource) is another binding: its own approval.
    const other = approvalOf(await app.post("/decide", { ...req, resource: { id: "model:t-other", type: "model" } }));
    assert.notEqual(other, first);
    await app.app.operations.settle();
    await app.app.webhooks!.deliverDue();
    const listed = await app.get("/admin/approvals?session=s-repeat", ADMIN);
    assert.deepEqual(new Set(listed.body.items.map((a: any) => a.id)), new Set([first, other]));
    for (const id of [first, other]) {
      assert.equal(bodies.filter((b) => JSON.parse(b).custos.type === "approval.requested" && JSON.parse(b).custos.data.approval_id === id).length, 1);
    }
    // Once decided, the next repeat asks anew (a denied request may be asked again; a granted one must be presented).
    assert.equal((await app.post(`/admin/approvals/${first}/deny`, { reason: "no" }, ADMIN)).status, 200);
    assert.notEqual(approvalOf(await app.post("/decide", req)), first);
    const metrics = (await app.get("/metrics")).text;
    assert.match(metrics, /custos_approvals_pending [1-9]/);
  });

  test("reason codes outside the catalogue share one label value", async () => {
    const { OTHER_REASON_LABEL } = await import("../../../src/notify/operations.js");
    const record = {
      decision_id: "d-x", time: new Date().toISOString(), revision: null, caller: null, input: {}, session: {}, latency_ms: 0, outcome: "decided" as const, event: "prompt",
      timings: { inspect_ms: 0, eval_ms: 0 }, result: { decision: "deny", reasons: [{ code: "ATTACKER_CHOSEN_<script>" }, { code: "X".repeat(10_000) }], obligations: [] },
    };
    app.app.operations.decision(record);
    const metrics = (await app.get("/metrics")).text;
    assert.ok(!metrics.includes("ATTACKER_CHOSEN"));
    assert.match(metrics, new RegExp(`custos_reasons_total\\{code="${OTHER_REASON_LABEL}"\\} [2-9]`));
  });
});
