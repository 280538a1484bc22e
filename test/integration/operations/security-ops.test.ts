// Security operations end to end: the operations store contract over memory and a real redis-server (lists,
// filters, cursors stable under inserts, expiry removing entries from the indexes); the approval and review queues
// through the admin API with a webhook receiver on 127.0.0.1 (signature, outage, restart, two replicas: each
// notification once); the shadow-AI inventory; blast radius of one credential among three over two replicas, checked
// against the decision log's audit query; and ending every session of a credential.
import assert from "node:assert/strict";
import { readmeAcl } from "../../helpers/readme-acl.js";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Redis } from "ioredis";
import { queryLog } from "../../../src/audit/query.js";
import type { DecisionFacts, OpsStore } from "../../../src/decision/operations.js";
import { createMemoryStore } from "../../../src/session/memory-store.js";
import { createMemoryOpsStore } from "../../../src/session/ops-memory.js";
import { createRedisOpsStore } from "../../../src/session/ops-redis.js";
import { createRedisOutbox } from "../../../src/notify/redis-outbox.js";
import { startApp, type RunningApp } from "../../helpers/app.js";
import { writeOperatorsFile } from "../../helpers/operators.js";
import { startWebhookReceiver, type WebhookReceiver } from "../../helpers/webhook-receiver.js";
import { startRedis, type RedisServer } from "../../helpers/redis-server.js";

const TOKEN = "admin-token-for-ops-tests";
const ADMIN = { authorization: `Bearer ${TOKEN}` };
const OPS = writeOperatorsFile([
  { id: "t:approver", roles: ["approver"] },
  { id: "soc:responder", roles: ["responder"] },
  { id: "soc:auditor", roles: ["auditor"] },
]);
const APPROVER = OPS.as["t:approver"]!;
const RESPONDER = OPS.as["soc:responder"]!;
const AUDITOR = OPS.as["soc:auditor"]!;
const SECRET = "webhook-secret-for-tests";
const registry = JSON.parse(readFileSync("test/fixtures/ledger-registry.json", "utf8")) as Record<string, unknown>;
const dataDir = mkdtempSync(join(tmpdir(), "custos-ops-"));
writeFileSync(join(dataDir, "data.json"), JSON.stringify(registry));
const PEP_TOKEN = "pep-token-of-gateway-a";
writeFileSync(join(dataDir, "peps.json"), JSON.stringify({ peps: [{ name: "gateway-a", token_sha256: createHash("sha256").update(PEP_TOKEN).digest("hex") }] }));
const PEP = { authorization: `Bearer ${PEP_TOKEN}` };

let n = 0;
const sid = (name: string) => `s-${name}-${process.pid}-${++n}`;
const agent = (credential?: string) => ({ id: "t:agent", type: "agent", on_behalf_of: [{ id: "t:owner", type: "human" }], ...(credential ? { credential: { id: credential } } : {}) });
const deploy = (session: string, approvalId?: string) => ({
  session: { id: session }, event: "model_access", identity: agent(), action: "deploy", resource: { id: "model:t-model", type: "model" }, purpose: "testing",
  ...(approvalId ? { context: { approval_id: approvalId } } : {}),
});
const read = (session: string, credential: string) => ({
  session: { id: session }, event: "retrieval", identity: agent(credential), action: "read", resource: { id: "dataset:t-internal", type: "dataset" }, purpose: "testing",
});
const until = async (what: string, fn: () => Promise<boolean> | boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

function facts(over: Partial<DecisionFacts>): DecisionFacts {
  return { at: Date.now(), decision_id: `d-${++n}`, session: sid("c"), principal: "p:one", credential: null, caller: "pep-1", registered: true, decision: "allow", resource: null, tool: null, ...over };
}

/** The store contract, over one implementation. */
function contract(name: string, make: (sessionTtlSeconds: number) => Promise<{ ops: OpsStore; close(): Promise<void> }>) {
  describe(`operations store contract: ${name}`, () => {
    test("principals: newest first, filter by registered, callers and counts; cursors stable under inserts", async () => {
      const { ops, close } = await make(3600);
      try {
        const t0 = Date.now();
        for (let i = 0; i < 7; i++) await ops.recordDecision(facts({ at: t0 + i, principal: `p:${name}:${i}`, registered: i % 2 === 0, caller: `pep-${i % 3}` }), null, []);
        await ops.recordDecision(facts({ at: t0 + 10, principal: `p:${name}:0`, decision: "deny", caller: "pep-9" }), null, []);
        const first = await ops.listPrincipals({}, { limit: 3, cursor: null }, 0);
        assert.deepEqual(first.items.map((p) => p.id), [6, 5, 4].map((i) => `p:${name}:${i}`));
        assert.ok(first.next_cursor);
        // Newer identities arrive: the next page goes on where the first stopped.
        for (let i = 7; i < 10; i++) await ops.recordDecision(facts({ at: t0 + 20 + i, principal: `p:${name}:${i}` }), null, []);
        const second = await ops.listPrincipals({}, { limit: 3, cursor: first.next_cursor }, 0);
        assert.deepEqual(second.items.map((p) => p.id), [3, 2, 1].map((i) => `p:${name}:${i}`));
        const rest = await ops.listPrincipals({}, { limit: 3, cursor: second.next_cursor }, 0);
        assert.deepEqual(rest.items.map((p) => p.id), [`p:${name}:0`]);
        assert.equal(rest.next_cursor, null);
        const zero = rest.items[0]!;
        assert.deepEqual(zero.decisions, { allow: 1, deny: 1, escalate: 0 });
        assert.deepEqual(zero.callers, ["pep-0", "pep-9"]);
        const unregistered = await ops.listPrincipals({ registered: false }, { limit: 500, cursor: null }, 0);
        assert.deepEqual(unregistered.items.map((p) => p.id).filter((id) => id.startsWith(`p:${name}:`) && Number(id.split(":")[2]) < 7), [5, 3, 1].map((i) => `p:${name}:${i}`));
      } finally {
        await close();
      }
    });
    test("reviews: filters by status, code and principal; resolve once; credential usage and sessions of a credential", async () => {
      const { ops, close } = await make(3600);
      try {
        const nowS = Math.floor(Date.now() / 1000);
        const review = (id: string, principal: string, codes: string[]) => ({
          id, status: "open" as const, created_at: nowS, expires_at: nowS + 3600, decision_id: "d", decision: "allow", session: "s", principal, chain: [],
          event: "prompt", action: "", resource: "", tool: "", purpose: "", codes, verdict: null, note: null, resolved_by: null, resolved_at: null,
        });
        const t0 = Date.now();
        await ops.recordDecision(facts({ at: t0, credential: `cred-${name}`, session: "s-1", resource: "r:1", tool: "srv/t" }), null, [review(`rev-${name}-a`, "p:a", ["SECRET_IN_CONTENT"])]);
        await ops.recordDecision(facts({ at: t0 + 1, credential: `cred-${name}`, session: "s-2", decision: "deny" }), null, [review(`rev-${name}-b`, "p:b", ["PII_IN_CONTENT"])]);
        assert.equal(await ops.countOpenReviews(nowS), 2);
        assert.deepEqual((await ops.listReviews({ code: "PII_IN_CONTENT" }, { limit: 10, cursor: null }, nowS)).items.map((r) => r.id), [`rev-${name}-b`]);
        assert.deepEqual((await ops.listReviews({ principal: "p:a" }, { limit: 10, cursor: null }, nowS)).items.map((r) => r.id), [`rev-${name}-a`]);
        const resolved = await ops.resolveReview(`rev-${name}-a`, "benign", "test key", "op", nowS);
        assert.equal(resolved?.status, "resolved");
        assert.equal((await ops.resolveReview(`rev-${name}-a`, "violation", null, "other", nowS))?.verdict, "benign");
        assert.equal(await ops.resolveReview("rev-unknown", "benign", null, "op", nowS), null);
        assert.equal(await ops.countOpenReviews(nowS), 1);
        assert.deepEqual((await ops.listReviews({ status: "open" }, { limit: 10, cursor: null }, nowS)).items.map((r) => r.id), [`rev-${name}-b`]);
        const usage = await ops.credentialUsage(`cred-${name}`, nowS);
        assert.deepEqual(usage?.sessions, ["s-1", "s-2"]);
        assert.deepEqual(usage?.resources, ["r:1"]);
        assert.deepEqual(usage?.tools, ["srv/t"]);
        assert.deepEqual(usage?.decisions, { allow: 1, deny: 1, escalate: 0 });
        assert.deepEqual(await ops.sessionsOf({ credential: `cred-${name}` }, nowS), ["s-1", "s-2"]);
        assert.equal(await ops.credentialUsage("cred-never-seen", nowS), null);
        assert.equal(await ops.once(`k-${name}`, 60), true);
        assert.equal(await ops.once(`k-${name}`, 60), false);
        await ops.release(`k-${name}`);
        assert.equal(await ops.once(`k-${name}`, 60), true);
      } finally {
        await close();
      }
    });
    test("expiry: a session past its idle TTL leaves the sessions index", async () => {
      const { ops, close } = await make(1);
      try {
        const old = sid(`old-${name}`);
        await ops.recordDecision(facts({ session: old, at: Date.now() }), null, []);
        assert.ok((await ops.listSessions({}, { limit: 500, cursor: null }, 0)).items.some((s) => s.id === old));
        await new Promise((r) => setTimeout(r, 1200));
        await ops.recordDecision(facts({ session: sid(`new-${name}`), at: Date.now() }), null, []);
        const listed = (await ops.listSessions({}, { limit: 500, cursor: null }, 0)).items.map((s) => s.id);
        assert.ok(!listed.includes(old), "the expired session is no longer listed");
      } finally {
        await close();
      }
    });
  });
}

let redis: RedisServer;
before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis?.stop();
});

contract("memory", async (ttl) => {
  const ledger = createMemoryStore({ sweepIntervalMs: 0 });
  return { ops: createMemoryOpsStore(ledger, { sessionTtlSeconds: ttl }), close: () => ledger.close() };
});
/** The README's least-privilege ACL: the ledger's commands plus those of the operations store and the outbox. */
const OPS_ACL = readmeAcl();

contract("redis (as the least-privilege ACL user)", async (ttl) => {
  const admin = new Redis(redis.url);
  await admin.acl("SETUSER", "custos-ops", "on", ">ops-password", ...OPS_ACL);
  const client = new Redis(`redis://custos-ops:ops-password@127.0.0.1:${redis.port}`);
  const ledger = createMemoryStore({ sweepIntervalMs: 0 });
  const prefix = `custos:t${++n}:`;
  const ops = createRedisOpsStore(client, ledger, { sessionTtlSeconds: ttl, keyPrefix: prefix });
  return {
    ops,
    async close() {
      if (ttl <= 1) {
        // the index keys carry a TTL too: nothing of the prefix outlives its items for long
        const ttls = await Promise.all((await admin.keys(`${prefix}*`)).map((k) => admin.ttl(k)));
        assert.ok(ttls.every((t) => t > 0 || t === -2), `every key expires: ${ttls.join(",")}`);
      }
      // The outbox runs under the same ACL.
      const outbox = createRedisOutbox(client, { keyPrefix: prefix });
      await outbox.add({ id: `evt-${n}`, type: "review.opened", time: new Date().toISOString(), data: {} }, Date.now());
      const [claimed] = await outbox.claim(Date.now(), 10, 1000);
      assert.equal(claimed?.event.id, `evt-${n}`);
      await outbox.retry({ event: claimed!.event, attempts: 1 }, Date.now());
      await outbox.done(`evt-${n}`);
      assert.equal(await outbox.size(), 0);
      client.disconnect();
      admin.disconnect();
      await ledger.close();
    },
  };
});

describe("security operations through the admin API (two replicas on one Redis)", { timeout: 180_000 }, () => {
  let receiver: WebhookReceiver;
  let a: RunningApp;
  let b: RunningApp;
  const env = () => ({
    REDIS_URL: redis.url, CUSTOS_REDIS_PREFIX: "ops:", CUSTOS_ADMIN_TOKEN: TOKEN, CUSTOS_ADMIN_TOKENS_FILE: OPS.path, CUSTOS_DATA: join(dataDir, "data.json"), CUSTOS_STATE_TIMEOUT_MS: "5000",
    CUSTOS_WEBHOOK_URL: receiver.url, CUSTOS_WEBHOOK_SECRET: SECRET, CUSTOS_PEP_TOKENS_FILE: join(dataDir, "peps.json"), HOST: "127.0.0.1",
  });
  before(async () => {
    receiver = await startWebhookReceiver(SECRET);
    a = await startApp(env());
    b = await startApp(env());
  });
  after(async () => {
    await b?.close();
    await a?.close();
    await receiver?.close();
  });

  test("an escalation reaches the approver by webhook, is listed, granted, and the repeat passes", async () => {
    const s = sid("esc");
    const esc = await a.post("/decide", deploy(s), PEP);
    assert.equal(esc.body.decision, "escalate", JSON.stringify(esc.body.reasons));
    const id = esc.body.obligations.find((o: any) => o.type === "approval").approval_id as string;
    await until("approval.requested", () => receiver.of("approval.requested").some((e) => e.data.approval_id === id));
    const note = receiver.of("approval.requested").find((e) => e.data.approval_id === id);
    assert.equal(note.data.action, "deploy");
    assert.equal(note.data.resource_id, "model:t-model");
    assert.deepEqual(receiver.bad, [], "every delivery carries a valid signature");
    assert.equal((await b.get(`/admin/approvals?status=pending`, APPROVER)).status, 403, "listing needs the auditor role");
    const pending = await b.get(`/admin/approvals?status=pending&session=${encodeURIComponent(s)}`, AUDITOR);
    assert.equal(pending.status, 200);
    assert.deepEqual(pending.body.items.map((x: any) => x.id), [id]);
    const item = pending.body.items[0];
    assert.equal(item.requester, "t:agent");
    assert.deepEqual(item.chain, ["t:owner"]);
    assert.ok(item.reasons.length > 0);
    assert.equal((await b.post(`/admin/approvals/${id}/grant`, {}, APPROVER)).status, 200);
    const again = await a.post("/decide", deploy(s, id), PEP);
    assert.equal(again.body.decision, "allow", JSON.stringify(again.body.reasons));
    await until("consumed", async () => (await a.get(`/admin/approvals?status=consumed&session=${encodeURIComponent(s)}`, ADMIN)).body.items.length === 1);
    await a.app.operations.settle();
    await b.app.operations.settle();
    assert.equal(receiver.of("approval.requested").filter((e) => e.data.approval_id === id).length, 1, "delivered once by two replicas");
  });

  test("a review obligation is a review item: listed, resolved by an operator, the verdict in the decision log", async () => {
    const s = sid("rev");
    const res = await a.post("/decide", { session: { id: s }, event: "prompt", identity: agent(), purpose: "testing", data: { text: "token ghp_0123456789abcdefghijABCDEFGHIJ012345 here" } }, PEP);
    const ob = res.body.obligations.find((o: any) => o.type === "review");
    assert.ok(ob, JSON.stringify(res.body));
    assert.match(ob.review_id, /^rev-/);
    await a.app.operations.settle();
    const open = await b.get(`/admin/reviews?status=open&principal=t:agent`, ADMIN);
    assert.ok(open.body.items.some((r: any) => r.id === ob.review_id));
    assert.ok(!JSON.stringify(open.body).includes("ghp_"), "no content in a review item");
    assert.equal((await b.post(`/admin/reviews/${ob.review_id}/resolve`, { verdict: "benign" }, AUDITOR)).status, 403, "resolving needs the approver role");
    const done = await b.post(`/admin/reviews/${ob.review_id}/resolve`, { verdict: "benign", note: "test token" }, APPROVER);
    assert.equal(done.status, 200);
    assert.equal(done.body.verdict, "benign");
    assert.equal(done.body.resolved_by, "t:approver");
    assert.equal((await b.post(`/admin/reviews/${ob.review_id}/resolve`, { verdict: "violation" }, ADMIN)).status, 409);
    assert.equal((await b.get(`/admin/reviews/${ob.review_id}`, ADMIN)).body.status, "resolved");
    await b.app.evidence.flush();
    assert.ok(readFileSync(b.auditPath, "utf8").split("\n").some((l) => l.includes('"review.resolve"') && l.includes(ob.review_id)));
    await until("review.opened", () => receiver.of("review.opened").some((e) => e.data.review_id === ob.review_id));
  });

  test("an unregistered identity appears in the inventory with the PEP that asserted it", async () => {
    const who = `shadow:${process.pid}`;
    await a.post("/decide", { session: { id: sid("shadow") }, event: "prompt", identity: { id: who, type: "agent" }, purpose: "testing" }, PEP);
    await a.app.operations.settle();
    const list = await b.get("/admin/principals?registered=false&limit=500", ADMIN);
    const found = list.body.items.find((p: any) => p.id === who);
    assert.ok(found, JSON.stringify(list.body));
    assert.deepEqual(found.callers, ["gateway-a"]);
    assert.equal(found.decisions.deny, 1);
    const registered = await b.get("/admin/principals?registered=true&limit=500", ADMIN);
    assert.ok(registered.body.items.some((p: any) => p.id === "t:agent"));
    assert.ok(!registered.body.items.some((p: any) => p.id === who));
  });

  test("the inventory's registered mark comes from the registry, not from a reason's wording: a monitored UNREGISTERED_IDENTITY still marks shadow AI", async () => {
    const dir = mkdtempSync(join(tmpdir(), "custos-inv-"));
    const overlay = join(dir, "monitor.json");
    writeFileSync(overlay, JSON.stringify({ settings: { monitor_codes: ["UNREGISTERED_IDENTITY", "SCOPE_MISSING"] } }));
    const svc = await startApp({ CUSTOS_DATA: overlay, CUSTOS_ADMIN_TOKEN: TOKEN, CUSTOS_PEP_RATE_LIMIT: "0" });
    try {
      const who = `shadow-monitored:${process.pid}`;
      const r = await svc.post("/decide", { session: { id: sid("shadow-m") }, event: "prompt", identity: { id: who, type: "agent" }, purpose: "testing" });
      assert.equal(r.status, 200);
      assert.ok(!r.body.reasons.some((x: any) => x.code === "UNREGISTERED_IDENTITY"), "the code is monitored, not a reason");
      await svc.app.operations.settle();
      const list = await svc.get("/admin/principals?registered=false&limit=500", ADMIN);
      assert.ok(list.body.items.some((p: any) => p.id === who), JSON.stringify(list.body));
      // A near-miss of a registered id is not registered: ids match exactly.
      await svc.post("/decide", { session: { id: sid("shadow-m2") }, event: "prompt", identity: { id: "agent:support-summarizer ", type: "agent" }, purpose: "testing" });
      await svc.app.operations.settle();
      const again = await svc.get("/admin/principals?registered=false&limit=500", ADMIN);
      assert.ok(again.body.items.some((p: any) => p.id === "agent:support-summarizer "));
    } finally {
      await svc.close();
    }
  });

  test("1 000 decisions over 3 credentials on 2 replicas: usage and the audit query of one credential give exactly its sessions; revoke ends them all", async () => {
    const creds = ["cred-a", "cred-b", "cred-c"].map((c) => `${c}-${process.pid}`);
    const sessionsOf = new Map(creds.map((c) => [c, new Set<string>()]));
    const jobs: Promise<unknown>[] = [];
    for (let i = 0; i < 1000; i++) {
      const cred = creds[i % 3]!;
      const s = `blast-${process.pid}-${i % 60}-${cred}`;
      sessionsOf.get(cred)!.add(s);
      jobs.push((i % 2 ? a : b).post("/decide", read(s, cred), PEP));
      if (jobs.length >= 50) await Promise.all(jobs.splice(0));
    }
    await Promise.all(jobs);
    await a.app.operations.settle();
    await b.app.operations.settle();
    const target = creds[1]!;
    const want = [...sessionsOf.get(target)!].sort();
    const usage = await a.get(`/admin/credentials/${target}/usage`, ADMIN);
    assert.equal(usage.status, 200);
    assert.deepEqual(usage.body.sessions, want);
    assert.deepEqual(usage.body.principals, ["t:agent"]);
    assert.equal(usage.body.decisions.allow + usage.body.decisions.deny + usage.body.decisions.escalate, 333);
    await a.app.evidence.flush();
    await b.app.evidence.flush();
    const fromLogs = new Set<string>();
    for (const app of [a, b]) {
      const result = await queryLog([app.auditPath], { credential: target });
      assert.equal(result.verify.ok, true);
      for (const s of result.summary.sessions) fromLogs.add(s);
    }
    assert.deepEqual([...fromLogs].sort(), want);

    const revoked = await b.post(`/admin/credentials/${target}/revoke`, { reason: "leaked", terminate_sessions: true }, ADMIN);
    assert.equal(revoked.status, 200);
    assert.deepEqual([...revoked.body.sessions_terminated].sort(), want);
    for (const s of want.slice(0, 5)) assert.equal((await a.get(`/admin/sessions/${s}`, ADMIN)).body.terminated, true, "the other replica sees it");
    const other = [...sessionsOf.get(creds[0]!)!][0]!;
    assert.equal((await a.get(`/admin/sessions/${other}`, ADMIN)).body.terminated, false);
    const terminatedList = await a.get(`/admin/sessions?status=terminated&principal=t:agent&limit=500`, ADMIN);
    for (const s of want) assert.ok(terminatedList.body.items.some((x: any) => x.id === s));
    await a.app.operations.settle();
    await b.app.operations.settle();
    await until("credential.revoked", () => receiver.of("credential.revoked").some((e) => e.data.credential_id === target));
    await until("session.terminated for each", () => want.every((s) => receiver.of("session.terminated").some((e) => e.data.session_id === s)));
    for (const s of want) assert.equal(receiver.of("session.terminated").filter((e) => e.data.session_id === s).length, 1);
    const metrics = (await a.get("/metrics")).text;
    assert.match(metrics, /custos_reasons_total\{code="[A-Z_]+"\} \d+/);
    assert.match(metrics, /custos_approvals_pending \d+/);
    assert.match(metrics, /custos_reviews_open \d+/);
    assert.match(metrics, /custos_webhook_deliveries_total\{result="delivered"\} \d+/);
  });

  test("terminate-sessions of a principal ends each of its live sessions once", async () => {
    const s1 = sid("p1");
    await a.post("/decide", read(s1, `cred-p-${process.pid}`), PEP);
    await a.app.operations.settle();
    assert.equal((await b.post("/admin/principals/t:agent/terminate-sessions", { reason: "incident" }, AUDITOR)).status, 403, "needs the responder role");
    const r = await b.post("/admin/principals/t:agent/terminate-sessions", { reason: "incident" }, RESPONDER);
    assert.equal(r.status, 200);
    assert.ok(r.body.sessions_terminated.includes(s1));
    const r2 = await b.post("/admin/principals/t:agent/terminate-sessions", { reason: "incident" }, ADMIN);
    assert.deepEqual(r2.body.sessions_terminated, [], "already ended: nothing twice");
  });

  test("a receiver outage is retried, and a restart of Custos redelivers what was not delivered", async () => {
    receiver.fail(1_000_000);
    const s = sid("outage");
    const esc = await a.post("/decide", deploy(s), PEP);
    const id = esc.body.obligations.find((o: any) => o.type === "approval").approval_id as string;
    await a.app.operations.settle();
    const tried = receiver.attempts;
    await until("a failed attempt", () => receiver.attempts > tried);
    // Both replicas go away while the receiver is down; a new one on the same Redis delivers it.
    await a.close();
    await b.close();
    receiver.fail(0);
    a = await startApp(env());
    b = await startApp(env());
    await a.app.webhooks!.deliverDue();
    await until("redelivery", () => receiver.of("approval.requested").some((e) => e.data.approval_id === id), 15_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(receiver.of("approval.requested").filter((e) => e.data.approval_id === id).length, 1);
  });
});
