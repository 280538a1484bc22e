// Security operations over the real process with two cluster workers sharing one redis-server, as deployed: the
// blast radius of one credential among three after 1 000 decisions (the ledger's usage, and the one decision log the
// primary writes, read by the audit query), its revocation ending every session it touched, and each notification
// (approval requested, credential revoked, session terminated) delivered once by the two workers' shared outbox.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { queryLog } from "../../../src/audit/query.js";
import { startRedis, type RedisServer } from "../../helpers/redis-server.js";
import { startService, type StartedService } from "../../helpers/service.js";
import { startWebhookReceiver, type WebhookReceiver } from "../../helpers/webhook-receiver.js";

const TOKEN = "ops-workers-admin-token";
const ADMIN = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
const SECRET = "ops-workers-webhook-secret";

const agent = (credential?: string) => ({ id: "t:agent", type: "agent", on_behalf_of: [{ id: "t:owner", type: "human" }], ...(credential ? { credential: { id: credential } } : {}) });

describe("security operations, two workers on one Redis", { timeout: 180_000 }, () => {
  let redis: RedisServer;
  let receiver: WebhookReceiver;
  let service: StartedService;
  let dir: string;
  let audit: string;
  const run = `${process.pid}-${Date.now()}`;

  before(async () => {
    redis = await startRedis();
    receiver = await startWebhookReceiver(SECRET);
    dir = mkdtempSync(join(tmpdir(), "custos-ops-workers-"));
    const data = join(dir, "data.json");
    writeFileSync(data, readFileSync("test/fixtures/ledger-registry.json"));
    audit = join(dir, "audit.jsonl");
    service = await startService(
      {
        REDIS_URL: redis.url, CUSTOS_WORKERS: "2", CUSTOS_ADMIN_TOKEN: TOKEN, CUSTOS_DATA: data, CUSTOS_AUDIT_LOG: audit,
        // No CUSTOS_FINGERPRINT_KEY: the primary hands the workers one key, so an approval's binding digest (and a
        // finding's fingerprint) is the same whichever worker answers.
        CUSTOS_STATE_TIMEOUT_MS: "2000", CUSTOS_WEBHOOK_URL: receiver.url, CUSTOS_WEBHOOK_SECRET: SECRET,
      },
      2,
    );
  });
  after(async () => {
    service?.kill("SIGTERM");
    await service?.exited;
    await receiver?.close();
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const post = async (path: string, body: unknown, headers: Record<string, string> = { "content-type": "application/json" }) => {
    const r = await fetch(`${service.url}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as any };
  };
  const get = async (path: string) => {
    const r = await fetch(`${service.url}${path}`, { headers: ADMIN });
    return { status: r.status, body: (await r.json()) as any };
  };
  const until = async (what: string, fn: () => boolean | Promise<boolean>, ms = 15_000) => {
    const end = Date.now() + ms;
    while (!(await fn())) {
      assert.ok(Date.now() < end, `timed out waiting for ${what}`);
      await sleep(50);
    }
  };

  test("an escalation repeated 40 times across both workers: one approval, one approval.requested", async () => {
    const req = { session: { id: `s-esc-${run}` }, event: "model_access", identity: agent(), action: "deploy", resource: { id: "model:t-model", type: "model" }, purpose: "testing" };
    const first = await post("/decide", req);
    assert.equal(first.body.decision, "escalate");
    const id = first.body.obligations.find((o: any) => o.type === "approval").approval_id;
    const repeats = await Promise.all(Array.from({ length: 40 }, () => post("/decide", req)));
    for (const r of repeats) assert.equal(r.body.obligations.find((o: any) => o.type === "approval")?.approval_id, id);
    await until("approval.requested", () => receiver.of("approval.requested").some((e) => e.data.approval_id === id));
    await sleep(1500);
    assert.equal(receiver.of("approval.requested").filter((e) => e.data.approval_id === id).length, 1);
    const listed = await get(`/admin/approvals?session=${encodeURIComponent(req.session.id)}`);
    assert.deepEqual(listed.body.items.map((a: any) => a.id), [id]);
  });

  test("1 000 decisions over 3 credentials: usage and the audit query of one give exactly its sessions; revoking it ends them all, each notified once", async () => {
    const creds = ["cred-a", "cred-b", "cred-c"].map((c) => `${c}-${run}`);
    const sessionsOf = new Map(creds.map((c) => [c, new Set<string>()]));
    const jobs: Promise<{ status: number }>[] = [];
    for (let i = 0; i < 1000; i++) {
      const cred = creds[i % 3]!;
      const s = `blast-${run}-${i % 60}-${cred}`;
      sessionsOf.get(cred)!.add(s);
      jobs.push(post("/decide", { session: { id: s }, event: "retrieval", identity: agent(cred), action: "read", resource: { id: "dataset:t-internal", type: "dataset" }, purpose: "testing" }));
      if (jobs.length >= 50) for (const r of await Promise.all(jobs.splice(0))) assert.equal(r.status, 200);
    }
    for (const r of await Promise.all(jobs)) assert.equal(r.status, 200);

    const target = creds[1]!;
    const want = [...sessionsOf.get(target)!].sort();
    // The ledger's indexes are written after each answer: wait until both workers' writes are in.
    await until("usage of 333 decisions", async () => {
      const u = (await get(`/admin/credentials/${target}/usage`)).body;
      return u.decisions && u.decisions.allow + u.decisions.deny + u.decisions.escalate === 333;
    });
    const usage = await get(`/admin/credentials/${target}/usage`);
    assert.deepEqual(usage.body.sessions, want);
    assert.deepEqual(usage.body.principals, ["t:agent"]);

    const revoked = await post(`/admin/credentials/${target}/revoke`, { reason: "leaked", terminate_sessions: true }, ADMIN);
    assert.equal(revoked.status, 200);
    assert.deepEqual([...revoked.body.sessions_terminated].sort(), want);
    for (const s of want.slice(0, 5)) assert.equal((await get(`/admin/sessions/${s}`)).body.terminated, true);
    assert.equal((await get(`/admin/sessions/${[...sessionsOf.get(creds[0]!)!][0]}`)).body.terminated, false);
    const later = await post("/decide", { session: { id: want[0] }, event: "retrieval", identity: agent(target), action: "read", resource: { id: "dataset:t-internal", type: "dataset" }, purpose: "testing" });
    assert.equal(later.body.decision, "deny", "a revoked credential is denied at once");

    await until("credential.revoked", () => receiver.of("credential.revoked").some((e) => e.data.credential_id === target));
    await until("session.terminated for each", () => want.every((s) => receiver.of("session.terminated").some((e) => e.data.session_id === s)));
    await sleep(1500);
    assert.equal(receiver.of("credential.revoked").filter((e) => e.data.credential_id === target).length, 1);
    for (const s of want) assert.equal(receiver.of("session.terminated").filter((e) => e.data.session_id === s).length, 1, s);
    assert.deepEqual(receiver.bad, [], "every delivery is signed");

    // The one decision log of the service (written by the primary), read and verified after a graceful stop.
    service.kill("SIGTERM");
    assert.equal(await service.exited, 0);
    const result = await queryLog([audit], { credential: target });
    assert.equal(result.verify.ok, true);
    assert.deepEqual([...result.summary.sessions].sort(), want);
  });
});
