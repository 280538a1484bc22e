// Adversarial: state beyond one session, attacked by a hostile PEP, a prompt-injected agent and a buggy client,
// on both stores (in-memory, and a real redis-server), with an injected clock so that windows expire on demand.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startApp, type RunningApp } from "../../helpers/app.js";
import { startRedis, type RedisServer } from "../../helpers/redis-server.js";

const TOKEN = "cross-session-admin-token";
const ADMIN = { authorization: `Bearer ${TOKEN}` };
const registry = JSON.parse(readFileSync("test/fixtures/ledger-registry.json", "utf8")) as Record<string, any>;
registry.settings = {
  ...registry.settings,
  risk_points: { PURPOSE_NOT_APPROVED: 40 },
  principal_risk_threshold: 100,
  principal_risk_window_seconds: 600,
  credential_misuse_window_seconds: 60,
  quotas: [{ event: "retrieval", action: "read", per: "credential", max: 2, window_seconds: 60 }],
};

let n = 0;
const sid = (name: string) => `s-${name}-${process.pid}-${++n}`;
const read = (session: string, extra: Record<string, unknown> = {}) => ({
  session: { id: session },
  event: "retrieval",
  identity: { id: "t:agent", type: "agent" },
  action: "read",
  resource: { id: "dataset:t-internal" },
  purpose: "testing",
  ...extra,
});
const codes = (body: any): string[] => (body.reasons as { code: string }[]).map((r) => r.code).sort();

for (const kind of ["memory", "redis"] as const) {
  describe(`adversarial: state beyond one session (${kind} store)`, { timeout: 120_000 }, () => {
    let redis: RedisServer | null = null;
    let app: RunningApp;
    let dir: string;
    let t = Date.UTC(2030, 0, 1, 10, 0, 0);
    const clock = () => t;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "custos-cross-"));
      writeFileSync(join(dir, "data.json"), JSON.stringify(registry));
      if (kind === "redis") redis = await startRedis();
      const env: Record<string, string> = { CUSTOS_ADMIN_TOKEN: TOKEN, CUSTOS_DATA: join(dir, "data.json"), CUSTOS_STATE_TIMEOUT_MS: "5000" };
      if (redis) env.REDIS_URL = redis.url;
      app = await startApp(env, { clock });
    });
    after(async () => {
      await app?.close();
      await redis?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test("prompt-injected agent hops sessions: its risk follows it, the flag and the risk window expire under the clock", async () => {
      const agent = { id: `t:hopper-${kind}`, type: "agent" };
      // Three sessions, one violation each: no session reaches its own threshold, the principal does.
      for (let i = 0; i < 3; i++) await app.post("/decide", read(sid("hop"), { identity: agent, purpose: "marketing" }));
      const view = await app.get(`/admin/principals/${encodeURIComponent(agent.id)}`, ADMIN);
      assert.equal(view.status, 200);
      assert.ok(view.body.risk >= 100, String(view.body.risk));
      assert.deepEqual(view.body.signals.map((s: any) => s.kind), ["principal_risk_threshold"]);
      // A fresh session of the flagged principal is refused at once.
      assert.ok(codes((await app.post("/decide", read(sid("hop"), { identity: agent }))).body).includes("PRINCIPAL_FLAGGED"));
      // The flag lasts the window; then the principal and its risk are clean again.
      t += 601_000 + 10_000;
      const later = await app.get(`/admin/principals/${encodeURIComponent(agent.id)}`, ADMIN);
      assert.deepEqual([later.body.risk, later.body.signals], [0, []]);
    });

    test("the agent's risk counts against the agent, not against the human it acts for", async () => {
      const human = "t:owner";
      const agent = { id: `t:delegate-${kind}`, type: "agent", on_behalf_of: [{ id: human, type: "human" }] };
      for (let i = 0; i < 3; i++) await app.post("/decide", read(sid("delegated"), { identity: agent, purpose: "marketing" }));
      const owner = await app.get(`/admin/principals/${encodeURIComponent(human)}`, ADMIN);
      assert.deepEqual([owner.body.risk, owner.body.signals], [0, []]);
      const own = await app.get(`/admin/principals/${encodeURIComponent(agent.id)}`, ADMIN);
      assert.ok(own.body.risk >= 100, String(own.body.risk));
    });

    test("hostile PEP with a stolen credential id cannot lock out its owner; the thief is refused; the window expires", async () => {
      const credential = { id: `key-stolen-${kind}`, type: "api_key" };
      const owner = { id: "t:agent", type: "agent", credential };
      assert.equal((await app.post("/decide", read(sid("owner"), { identity: owner }))).body.decision, "allow");
      const thief = await app.post("/decide", read(sid("thief"), { identity: { id: "t:outsider", type: "human", credential } }));
      assert.equal(thief.body.decision, "deny");
      assert.ok(codes(thief.body).includes("CREDENTIAL_MISUSE"));
      // The review signal is medium: the owner keeps working (and its quota of 2 per minute counts its own uses).
      const again = await app.post("/decide", read(sid("owner"), { identity: owner }));
      assert.equal(again.body.decision, "allow", JSON.stringify(again.body.reasons));
      // A per-credential quota counts the admitted uses only: the thief's refused request did not use it up.
      const third = await app.post("/decide", read(sid("owner"), { identity: owner }));
      assert.deepEqual(codes(third.body), ["QUOTA_EXCEEDED"]);
      t += 61_000;
      assert.equal((await app.post("/decide", read(sid("owner"), { identity: owner }))).body.decision, "allow", "a new quota window");
    });

    test("buggy or hostile parent links: self-parent, cycles, over-long ids, too many children", async () => {
      const self = sid("self");
      const r = await app.post("/decide", read(self, { session: { id: self, parent_id: self } }));
      assert.equal(r.status, 200);
      assert.equal(r.body.decision, "allow");
      const long = await app.post("/decide", read(sid("long"), { session: { id: "x", parent_id: "p".repeat(257) } }));
      assert.equal(long.status, 400);
      assert.match(JSON.stringify(long.body.errors), /parent_id/);
      // A cycle (a names b, b names a): ending one ends the other, and the cascade stops.
      const [a, b] = [sid("cycle-a"), sid("cycle-b")];
      await app.post("/decide", read(a, { session: { id: a, parent_id: b } }));
      await app.post("/decide", read(b, { session: { id: b, parent_id: a } }));
      const ended = await app.post(`/admin/sessions/${a}/terminate`, { reason: "test" }, ADMIN);
      assert.equal(ended.status, 200);
      assert.equal((await app.get(`/admin/sessions/${b}`, ADMIN)).body.terminated, true);
      // A PEP spawning children without end: past the bound a child may not start (it could not be ended with its parent).
      const parent = sid("fan");
      const answers = await Promise.all(Array.from({ length: 260 }, (_, i) => app.post("/decide", read(`${parent}-c${i}`, { session: { id: `${parent}-c${i}`, parent_id: parent } }))));
      const refused = answers.filter((x) => x.body.decision === "deny");
      assert.equal(refused.length, 4);
      assert.deepEqual(codes(refused[0]!.body), ["SESSION_TERMINATED"]);
    });

    test("a restricted read in the parent taints the child's egress even when the child never saw it; labels are inherited", async () => {
      const parent = sid("hwm");
      await app.post("/decide", read(parent, { resource: { id: "dataset:t-restricted" }, data: { labels: ["payroll"] } }));
      const child = sid("hwm-child");
      const out = await app.post("/decide", { session: { id: child, parent_id: parent }, event: "output", identity: { id: "t:agent", type: "agent" }, purpose: "testing", data: { destination: "external" } });
      assert.ok(codes(out.body).includes("RESTRICTED_DATA_EGRESS"));
      const view = await app.get(`/admin/sessions/${child}`, ADMIN);
      assert.deepEqual([view.body.parent_id, view.body.max_classification, view.body.labels_seen], [parent, "restricted", ["payroll"]]);
    });

    test("admin principal routes: unknown principal is empty, not 404; methods are checked; clearing is recorded", async () => {
      const empty = await app.get("/admin/principals/t%3Anobody-ever", ADMIN);
      assert.deepEqual([empty.status, empty.body.risk, empty.body.signals], [200, 0, []]);
      const wrong = await fetch(`${app.url}/admin/principals/x/signals`, { method: "PUT", headers: ADMIN });
      assert.equal(wrong.status, 405);
      assert.match(wrong.headers.get("allow") ?? "", /DELETE/);
      const noAuth = await fetch(`${app.url}/admin/principals/x/signals`, { method: "DELETE" });
      assert.equal(noAuth.status, 401);
    });
  });
}
