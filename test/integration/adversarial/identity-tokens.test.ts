// Adversarial: verified identity end to end through `POST /decide`, AuthZEN and the Data API, with real keys made
// here (node:crypto), a JWKS file and a JWKS served on 127.0.0.1. Every forged, stale or misdirected token is
// CREDENTIAL_INVALID naming its check; a token's facts beat the PEP's; a PEP outside its globs is refused; the token
// is never recorded; keys rotate without a restart; a single-use approval passes once across two workers.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, test } from "node:test";
import { startApp, type RunningApp } from "../../helpers/app.js";
import { writeOperatorsFile } from "../../helpers/operators.js";
import { startRedis, type RedisServer } from "../../helpers/redis-server.js";
import { b64, makeKey, sign, startJwksServer, type JwksServer } from "../identity/keys.js";

const ISS = "https://idp.test";
const ROTATING = "https://rotating.test";
const dir = mkdtempSync(join(tmpdir(), "custos-identity-"));
const registry = JSON.parse(readFileSync("test/fixtures/ledger-registry.json", "utf8")) as Record<string, any>;
registry.principals["t:limited"] = { type: "human", clearance: "restricted", scopes: ["data:read"], purposes: ["testing"], groups: [] };
registry.settings = { ...registry.settings, verified_credential_required: ["agent"], principal_risk_threshold: 0 }; // one principal crosses many checks on purpose
writeFileSync(join(dir, "data.json"), JSON.stringify(registry));

const rsa = makeKey("RS256", "rsa-1");
const ec = makeKey("ES256", "ec-1");
const forger = makeKey("RS256", "rsa-1"); // the same kid, another key
writeFileSync(join(dir, "idp.json"), JSON.stringify({ keys: [rsa.jwk, ec.jwk] }));

const pepToken = (name: string) => `pep-${name}-${process.pid}`;
const sha = (text: string) => createHash("sha256").update(text).digest("hex");
writeFileSync(
  join(dir, "peps.json"),
  JSON.stringify({
    peps: [
      { name: "gw-all", token_sha256: sha(pepToken("all")) },
      { name: "gw-agents", token_sha256: sha(pepToken("agents")), principals: ["t:a*"], events: ["retrieval", "model_access"] },
    ],
  }),
);
const ALL = { authorization: `Bearer ${pepToken("all")}` };
const AGENTS = { authorization: `Bearer ${pepToken("agents")}` };
const BREAK_GLASS = { authorization: "Bearer identity-break-glass" };

let n = 0;
const sid = (name: string) => `s-id-${name}-${process.pid}-${++n}`;
const codes = (body: any) => (body.reasons as { code: string }[]).map((r) => r.code).sort();
const reasonOf = (body: any, code: string) => (body.reasons as { code: string; message: string }[]).find((r) => r.code === code);

describe("verified identity through the decision APIs", () => {
  let jwks: JwksServer;
  let app: RunningApp;
  let now = Date.now();
  const nowS = () => Math.floor(now / 1000);
  const claims = (extra: Record<string, unknown> = {}) => ({
    iss: ISS, aud: "custos", sub: "t:agent", iat: nowS() - 10, exp: nowS() + 300, jti: `cred-${++n}`, scope: "data:read", ...extra,
  });
  const read = (token: string | undefined, identity: Record<string, unknown> = { id: "t:agent", type: "agent" }, session = sid("read")) => ({
    session: { id: session },
    event: "retrieval",
    identity: token === undefined ? identity : { ...identity, credential: { ...((identity.credential as object) ?? {}), token } },
    action: "read",
    resource: { id: "dataset:t-internal", type: "dataset" },
    purpose: "testing",
  });
  const decide = (body: unknown, headers = ALL) => app.post("/decide", body, headers);
  const tokens: string[] = [];
  const signed = async (key = rsa, extra: Record<string, unknown> = {}, header: { kid?: string | null } = {}) => {
    const t = await sign(key, claims(extra), header);
    tokens.push(t);
    return t;
  };

  before(async () => {
    const k1 = makeKey("ES256", "rot-1");
    jwks = await startJwksServer([k1.jwk]);
    (jwks as any).k1 = k1;
    writeFileSync(
      join(dir, "issuers.json"),
      JSON.stringify({
        issuers: [
          { issuer: ISS, audiences: ["custos"], jwks_file: "idp.json", algorithms: ["RS256", "ES256"] },
          { issuer: ROTATING, audiences: ["custos"], jwks_uri: jwks.url, algorithms: ["ES256"] },
        ],
      }),
    );
    app = await startApp(
      {
        CUSTOS_ISSUERS_FILE: join(dir, "issuers.json"),
        CUSTOS_PEP_TOKENS_FILE: join(dir, "peps.json"),
        CUSTOS_ADMIN_TOKEN: "identity-break-glass",
        CUSTOS_DATA: join(dir, "data.json"),
        CUSTOS_WATCH_INTERVAL_MS: "0",
      },
      { clock: () => now },
    );
  });
  after(async () => {
    await app?.close();
    await jwks?.close();
  });

  test("a valid token: its facts are the identity judged; the same facts asserted beside it pass", async () => {
    const token = await signed();
    const ok = await decide(read(token));
    assert.equal(ok.status, 200);
    assert.equal(ok.body.decision, "allow", JSON.stringify(ok.body.reasons));
    const t2 = await signed(ec, { jti: "cred-ec" });
    const same = await decide(read(t2, { id: "t:agent", type: "agent", scopes: ["data:read"], credential: { id: "cred-ec" } }));
    assert.equal(same.body.decision, "allow", JSON.stringify(same.body.reasons));
  });

  test("every forged or misdirected token is CREDENTIAL_INVALID naming the check, never quoting the token", async () => {
    const good = await signed();
    const [h, p, s] = good.split(".");
    const payload = JSON.parse(Buffer.from(p!, "base64url").toString());
    const hmacWithPublicKey = (() => {
      const head = b64({ alg: "HS256", kid: "rsa-1" });
      const body = b64(claims());
      const secret = rsa.publicKey.export({ format: "pem", type: "spki" });
      return `${head}.${body}.${createHmac("sha256", secret).update(`${head}.${body}`).digest("base64url")}`;
    })();
    const cases: [string, string][] = [
      [`${b64({ alg: "none" })}.${b64(claims())}.`, "algorithm"],
      [hmacWithPublicKey, "algorithm"],
      [await signed(rsa, {}, { kid: "no-such-kid" }), "unknown_key"],
      [await signed(forger), "signature"],
      [await signed(rsa, { exp: nowS() - 120, iat: nowS() - 400 }), "expired"],
      [await signed(rsa, { nbf: nowS() + 600 }), "not_yet_valid"],
      [await signed(rsa, { iat: nowS() + 600, exp: nowS() + 900 }), "not_yet_valid"],
      [await signed(rsa, { aud: "someone-else" }), "audience"],
      [await signed(rsa, { iss: "https://unconfigured.test" }), "issuer"],
      [`${h}.${b64({ ...payload, sub: "t:owner" })}.${s}`, "signature"],
      [`${b64({ alg: "RS256", kid: "ec-1" })}.${p}.${s}`, "unknown_key"],
      [`${b64({ alg: "ES256", kid: "ec-1" })}.${p}.${s}`, "signature"],
      ["not-a-jwt", "malformed"],
    ];
    for (const [token, check] of cases) {
      const r = await decide(read(token));
      assert.equal(r.status, 200, check);
      assert.equal(r.body.decision, "deny", check);
      const reason = reasonOf(r.body, "CREDENTIAL_INVALID");
      assert.ok(reason, `${check}: ${JSON.stringify(r.body.reasons)}`);
      assert.ok(reason.message.includes(`(${check})`), `${check}: ${reason.message}`);
      for (const part of token.split(".")) if (part.length > 8) assert.ok(!JSON.stringify(r.body).includes(part), `${check}: token quoted`);
    }
  });

  test("asserted facts that contradict the token are IDENTITY_MISMATCH; the token's facts decide the rest", async () => {
    const token = await signed();
    for (const identity of [
      { id: "t:owner", type: "human" },
      { id: "t:agent", type: "agent", scopes: ["data:read", "models:deploy"] },
      { id: "t:agent", type: "agent", credential: { id: "another-credential" } },
      { id: "t:agent", type: "agent", on_behalf_of: [{ id: "t:owner", type: "human" }] },
      { id: "t:agent", type: "agent", credential: { expires_at: new Date(now + 3_000_000).toISOString() } },
    ]) {
      const r = await decide(read(token, identity));
      assert.ok(codes(r.body).includes("IDENTITY_MISMATCH"), JSON.stringify([identity, r.body.reasons]));
      assert.equal(r.body.decision, "deny");
    }
  });

  test("the lifetime rule and revocation apply to the verified exp - iat and jti, whatever the PEP asserts", async () => {
    const long = await signed(rsa, { iat: nowS() - 10, exp: nowS() + 7200 });
    assert.ok(codes((await decide(read(long))).body).includes("CREDENTIAL_TTL_TOO_LONG"));
    const jti = `cred-revoked-${process.pid}`;
    const token = await signed(rsa, { jti });
    assert.equal((await decide(read(token))).body.decision, "allow");
    assert.equal((await app.post(`/admin/credentials/${jti}/revoke`, { reason: "leaked" }, BREAK_GLASS)).status, 200);
    const after = await decide(read(token));
    assert.ok(codes(after.body).includes("CREDENTIAL_REVOKED"), JSON.stringify(after.body.reasons));
  });

  test("a delegator in the token's act chain lacking a scope is DELEGATION_SCOPE_EXCEEDED, though the PEP asserts no chain", async () => {
    const token = await signed(rsa, { sub: "t:limited", act: { sub: "t:agent" }, scope: "data:read models:deploy" });
    const r = await decide({
      session: { id: sid("delegation") },
      event: "model_access",
      identity: { id: "t:agent", type: "agent", credential: { token } },
      action: "deploy",
      resource: { id: "model:t-model", type: "model" },
      purpose: "testing",
    });
    assert.ok(codes(r.body).includes("DELEGATION_SCOPE_EXCEEDED"), JSON.stringify(r.body.reasons));
    assert.equal(r.body.decision, "deny");
  });

  test("a required verified credential: an agent without a token is CREDENTIAL_REQUIRED; a human is not required", async () => {
    assert.deepEqual(codes((await decide(read(undefined))).body), ["CREDENTIAL_REQUIRED"]);
    const human = await decide(read(undefined, { id: "t:owner", type: "human" }));
    assert.equal(human.body.decision, "allow", JSON.stringify(human.body.reasons));
  });

  test("a PEP outside its principals globs or events is CALLER_NOT_PERMITTED, on /decide, AuthZEN and the Data API", async () => {
    const token = await signed();
    assert.equal((await decide(read(token), AGENTS)).body.decision, "allow", "t:agent matches t:a*");
    const owner = await decide(read(undefined, { id: "t:owner", type: "human" }), AGENTS);
    assert.deepEqual(codes(owner.body), ["CALLER_NOT_PERMITTED"]);
    assert.ok(!reasonOf(owner.body, "CALLER_NOT_PERMITTED")?.message.includes("t:owner"), "no asserted id in the message");
    const prompt = await decide({ session: { id: sid("ev") }, event: "prompt", identity: { id: "t:agent", type: "agent", credential: { token } }, purpose: "testing" }, AGENTS);
    assert.ok(codes(prompt.body).includes("CALLER_NOT_PERMITTED"), JSON.stringify(prompt.body.reasons));
    const az = await app.post(
      "/access/v1/evaluation",
      { subject: { type: "user", id: "t:owner" }, action: { name: "read" }, resource: { type: "dataset", id: "dataset:t-internal" }, context: { session: { id: sid("az") }, purpose: "testing" } },
      AGENTS,
    );
    assert.equal(az.body.decision, false);
    assert.ok(az.body.context.reasons.some((r: any) => r.code === "CALLER_NOT_PERMITTED"));
    // The Data API: an input that claims another caller, or a verified token, is judged with Custos's own facts.
    const input = {
      request: { ...read(undefined, { id: "t:owner", type: "human" }) },
      now: nowS(),
      facts: { credential: {}, tool_paths: [], findings: [], binding: {} },
      state: { session: { risk: 0, violations: 0, terminated: false, max_classification: null }, credential: { revoked: false }, principal: { signals: [] }, delegators: [], approval: null },
    };
    const spoof = await app.post("/v1/data/custos/main/decision", { input: { ...input, caller: null, verified: { presented: true, ok: true, contradictions: [] } } }, AGENTS);
    assert.equal(spoof.status, 200);
    assert.ok(spoof.body.result.reasons.some((r: any) => r.code === "CALLER_NOT_PERMITTED"), JSON.stringify(spoof.body.result.reasons));
  });

  test("AuthZEN: subject.properties.token or the original Authorization in context is verified the same way", async () => {
    const evaluation = (properties: Record<string, unknown>, context: Record<string, unknown> = {}) => ({
      subject: { type: "agent", id: "t:agent", properties },
      action: { name: "read" },
      resource: { type: "dataset", id: "dataset:t-internal" },
      context: { session: { id: sid("az-token") }, purpose: "testing", ...context },
    });
    const token = await signed();
    assert.deepEqual((await app.post("/access/v1/evaluation", evaluation({ token }), ALL)).body, { decision: true });
    assert.deepEqual((await app.post("/access/v1/evaluation", evaluation({}, { authorization: `Bearer ${token}` }), ALL)).body, { decision: true });
    const none = await app.post("/access/v1/evaluation", evaluation({}), ALL);
    assert.ok(none.body.context.reasons.some((r: any) => r.code === "CREDENTIAL_REQUIRED"));
    const forged = await app.post("/access/v1/evaluation", evaluation({ token: await signed(forger) }), ALL);
    assert.equal(forged.body.decision, false);
    assert.ok(forged.body.context.reasons.some((r: any) => r.code === "CREDENTIAL_INVALID"));
    const badType = await app.post("/access/v1/evaluation", evaluation({ token: 42 }), ALL);
    assert.equal(badType.status, 400);
    assert.equal(badType.body.errors[0].field, "subject.properties.token");
  });

  test("hostile shapes: an over-long or non-string token is a 400 naming the field", async () => {
    for (const token of ["x".repeat(16385), 7, ""]) {
      const r = await decide(read(token as string));
      assert.equal(r.status, 400, String(token).slice(0, 10));
      assert.equal(r.body.errors[0].field, "identity.credential.token");
    }
  });

  test("key rotation without a restart: a new kid is picked up, the retired one stops verifying", async () => {
    const k1 = (jwks as any).k1 as ReturnType<typeof makeKey>;
    const t1 = await signed(k1, { iss: ROTATING });
    assert.equal((await decide(read(t1))).body.decision, "allow");
    const k2 = makeKey("ES256", "rot-2");
    jwks.keys = [k2.jwk];
    now += 31_000; // past the refresh rate limit
    const t2 = await signed(k2, { iss: ROTATING });
    const r2 = await decide(read(t2));
    assert.equal(r2.body.decision, "allow", JSON.stringify(r2.body.reasons));
    const old = await decide(read(await signed(k1, { iss: ROTATING })));
    assert.ok(reasonOf(old.body, "CREDENTIAL_INVALID")?.message.includes("(unknown_key)"), JSON.stringify(old.body.reasons));
  });

  test("no token is ever in the decision log: only its digest", async () => {
    const token = await signed();
    const r = await decide(read(token));
    let text = "";
    for (let i = 0; i < 50 && !text.includes(r.body.decision_id); i++) {
      await sleep(50);
      try {
        text = readFileSync(app.auditPath, "utf8");
      } catch {
        text = "";
      }
    }
    assert.ok(text.includes(r.body.decision_id), "the decision was logged");
    assert.ok(text.includes(sha(token)), "the digest is");
    for (const t of tokens) for (const part of t.split(".").filter((x) => x.length > 16)) assert.ok(!text.includes(part), "a token part leaked");
  });
});

/** Spawns `node dist/src/main.js` with `workers` workers and resolves once all of them listen. */
function startService(env: Record<string, string>, workers: number) {
  const child = spawn(process.execPath, ["dist/src/main.js"], { env: { ...process.env, PORT: "0", LOG_LEVEL: "info", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise<{ url: string; exited: Promise<number | null>; kill(): void }>((resolve, reject) => {
    const seen = new Set<number>();
    let url = "";
    createInterface({ input: child.stdout }).on("line", (line) => {
      const m = /"url":"([^"]+)".*"worker":(\d+)/.exec(line);
      if (!m) return;
      url = m[1]!;
      seen.add(Number(m[2]));
      if (seen.size === workers) resolve({ url, exited, kill: () => child.kill("SIGTERM") });
    });
    child.on("exit", (code) => reject(new Error(`custos exited (${code}) before ${workers} workers listened`)));
  });
}

describe("single-use approvals for a verified agent, two workers over Redis", () => {
  let redis: RedisServer;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis?.stop();
  });

  test("of 20 concurrent repeats of the approved request, exactly one passes; the approver is the operator", { timeout: 60_000 }, async () => {
    const ops = writeOperatorsFile([{ id: "t:approver", roles: ["approver", "auditor"] }]);
    const service = await startService(
      {
        REDIS_URL: redis.url,
        CUSTOS_WORKERS: "2",
        CUSTOS_ISSUERS_FILE: join(dir, "issuers.json"),
        CUSTOS_ADMIN_TOKENS_FILE: ops.path,
        CUSTOS_DATA: join(dir, "data.json"),
        CUSTOS_AUDIT_LOG: join(dir, "workers-audit.jsonl"),
        CUSTOS_STATE_TIMEOUT_MS: "5000",
      },
      2,
    );
    try {
      const nowS = Math.floor(Date.now() / 1000);
      const token = await sign(rsa, { iss: ISS, aud: "custos", sub: "t:owner", act: { sub: "t:agent" }, iat: nowS - 5, exp: nowS + 600, jti: "cred-w", scope: "data:read models:deploy" });
      const session = sid("workers");
      const body = (approvalId?: string) =>
        JSON.stringify({
          session: { id: session },
          event: "model_access",
          identity: { id: "t:agent", type: "agent", credential: { token } },
          action: "deploy",
          resource: { id: "model:t-model", type: "model" },
          purpose: "testing",
          ...(approvalId ? { context: { approval_id: approvalId } } : {}),
        });
      const post = async (path: string, text: string, headers: Record<string, string> = {}) => {
        const r = await fetch(service.url + path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: text });
        return { status: r.status, body: (await r.json()) as any };
      };
      const esc = await post("/decide", body());
      assert.equal(esc.body.decision, "escalate", JSON.stringify(esc.body.reasons));
      const id = esc.body.obligations.find((o: any) => o.type === "approval").approval_id as string;
      const approval = (await (await fetch(`${service.url}/admin/approvals/${id}`, { headers: ops.as["t:approver"] })).json()) as any;
      assert.deepEqual(approval.binding.chain, ["t:owner"], "bound to the verified chain");
      const granted = await post(`/admin/approvals/${id}/grant`, "{}", ops.as["t:approver"]);
      assert.equal(granted.status, 200);
      assert.equal(granted.body.approver.id, "t:approver");
      const answers = await Promise.all(Array.from({ length: 20 }, () => post("/decide", body(id))));
      const allowed = answers.filter((a) => a.body.decision === "allow");
      assert.equal(allowed.length, 1, JSON.stringify(answers.map((a) => [a.body.decision, codes(a.body)])));
      for (const a of answers) if (a !== allowed[0]) assert.ok(codes(a.body).includes("APPROVAL_INVALID"));
    } finally {
      service.kill();
      await service.exited;
    }
  });
});
