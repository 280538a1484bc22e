// Every case of the AuthZEN Authorization API 1.0 certification scenario (cert-1_0-scenario-cases.json: Basic,
// Batch and Search, status and body), plus the scenario's transport, header, idempotency, pagination and
// discovery checks, against the scenario's fixture bundle (test/fixtures/authzen-cert).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { loadConfig } from "../../../src/config/load-config.js";
import { startApp, type RunningApp } from "../../helpers/app.js";
import { buildCertBundle, interopSet } from "./interop-sets.js";

interface CertCase {
  id: string;
  title: string;
  level: string;
  endpoint: string;
  request: Record<string, any>;
  expected_status: number;
  expected?: Record<string, any>;
  check?: string;
  note?: string;
}

let svc: RunningApp;
before(async () => {
  svc = await startApp({ CUSTOS_BUNDLE: await buildCertBundle(), CUSTOS_WATCH_INTERVAL_MS: "0", CUSTOS_AUDIT_LOG: "off" });
});
after(() => svc.close());

const key = (e: Record<string, unknown>) => (typeof e.name === "string" ? e.name : `${e.type}/${e.id}`);

/** Checks one case's answer as the scenario says; throws naming the case. */
function checkCase(c: CertCase, status: number, body: any): void {
  const what = `${c.id} ${c.note ?? ""} (${c.title})`;
  assert.equal(status, c.expected_status, `${what}: status`);
  if (status === 400) {
    assert.equal(body.code, "invalid_request", what);
    assert.ok(Array.isArray(body.errors) && body.errors.length > 0 && typeof body.errors[0].field === "string", `${what}: names the field`);
    return;
  }
  if (c.endpoint.includes("/search/")) {
    const kind = c.endpoint.split("/").pop() as string;
    assert.ok(Array.isArray(body.results), `${what}: results`);
    for (const r of body.results) {
      if (kind === "action") assert.equal(typeof r.name, "string", what);
      else assert.ok(typeof r.id === "string" && r.type === c.request[kind].type, `${what}: result type`);
    }
    if (body.page !== undefined) {
      assert.equal(typeof body.page, "object", what);
      if (body.page.next_token !== undefined) assert.equal(typeof body.page.next_token, "string", what);
    }
    const expected = (c.expected?.results ?? null) as Record<string, unknown>[] | null;
    if (expected && expected.length === 0) assert.deepEqual(body.results, [], `${what}: empty results`);
    else if (expected) for (const e of expected) assert.ok(body.results.some((r: any) => key(r) === key(e)), `${what}: has ${key(e)}`);
    return;
  }
  if (c.endpoint.endsWith("/evaluations") && Array.isArray(c.request.evaluations) && c.request.evaluations.length > 0) {
    assert.ok(Array.isArray(body.evaluations), `${what}: evaluations`);
    assert.equal(body.evaluations.length, c.request.evaluations.length, `${what}: cardinality`);
    for (const e of body.evaluations) {
      assert.equal(typeof e.decision, "boolean", what);
      if (e.context !== undefined) assert.equal(typeof e.context, "object", what);
    }
    if (c.expected?.evaluations) {
      assert.deepEqual(
        body.evaluations.map((e: any) => e.decision),
        c.expected.evaluations.map((e: any) => e.decision),
        `${what}: decisions in order`,
      );
    }
    return;
  }
  assert.equal(typeof body.decision, "boolean", `${what}: decision`);
  if (c.expected) assert.equal(body.decision, c.expected.decision, `${what}: decision value`);
}

test("AuthZEN 1.0 certification: every case of cert-1_0-scenario-cases.json (status and body)", async (t) => {
  const cases = interopSet<{ cases: CertCase[] }>("cert-1_0-scenario-cases.json").cases;
  const byLevel = new Map<string, [number, number]>();
  for (const c of cases) {
    const r = await svc.post(c.endpoint, c.request, { "x-request-id": `cert-${c.id}` });
    checkCase(c, r.status, r.body);
    assert.equal(r.headers.get("x-request-id"), `cert-${c.id}`, `${c.id}: X-Request-ID echoed`);
    assert.match(r.headers.get("content-type") ?? "", /^application\/json/);
    const [p, n] = byLevel.get(c.level) ?? [0, 0];
    byLevel.set(c.level, [p + 1, n + 1]);
  }
  for (const [level, [p, n]] of byLevel) t.diagnostic(`${level}: ${p}/${n} passed`);
  t.diagnostic(`all: ${cases.length}/${cases.length} passed`);
});

const fixture = { subject: { type: "user", id: "alice" }, action: { name: "read" }, resource: { type: "record", id: "record-1" } };

test("transport: malformed JSON and an empty body are 400, a non-JSON media type is 415, an oversized body 413", async () => {
  for (const path of ["/access/v1/evaluation", "/access/v1/evaluations", "/access/v1/search/subject"]) {
    const malformed = await svc.post(path, "{ not json");
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.code, "invalid_json");
    const empty = await fetch(svc.url + path, { method: "POST", headers: { "content-type": "application/json" }, body: "" });
    assert.equal(empty.status, 400);
    const text = await fetch(svc.url + path, { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify(fixture) });
    assert.equal(text.status, 415);
    const big = await svc.post(path, { ...fixture, context: { pad: "x".repeat(1024 * 1024) } });
    assert.equal(big.status, 413);
  }
  const get = await fetch(svc.url + "/access/v1/evaluation");
  assert.equal(get.status, 405);
  assert.equal(get.headers.get("allow"), "POST");
});

test("headers: X-Request-ID is echoed (errors too) and generated when absent", async () => {
  const echoed = await svc.post("/access/v1/evaluation", fixture, { "x-request-id": "req-42" });
  assert.equal(echoed.headers.get("x-request-id"), "req-42");
  const error = await svc.post("/access/v1/evaluation", { subject: fixture.subject }, { "x-request-id": "req-43" });
  assert.equal(error.status, 400);
  assert.equal(error.headers.get("x-request-id"), "req-43");
  const fresh = await svc.post("/access/v1/evaluation", fixture);
  assert.equal(fresh.status, 200);
  assert.match(fresh.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
});

test("a missing or mistyped field is a 400 that names it", async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ action: fixture.action, resource: fixture.resource }, "subject"],
    [{ ...fixture, subject: { id: "alice" } }, "subject.type"],
    [{ ...fixture, subject: { type: "user" } }, "subject.id"],
    [{ ...fixture, action: {} }, "action.name"],
    [{ ...fixture, resource: { id: "record-1" } }, "resource.type"],
    [{ ...fixture, resource: { type: "record" } }, "resource.id"],
    [{ ...fixture, action: { name: 123 } }, "action.name"],
    [{ ...fixture, subject: "alice" }, "subject"],
  ];
  for (const [body, field] of cases) {
    const r = await svc.post("/access/v1/evaluation", body);
    assert.equal(r.status, 400, field);
    assert.deepEqual(r.body.errors.map((e: { field: string }) => e.field), [field]);
    assert.match(r.body.message, new RegExp(field.replace(".", "\\.")));
  }
});

test("idempotency: the same request gives the same decision every time", async () => {
  const decisions = new Set<boolean>();
  for (let i = 0; i < 5; i++) decisions.add((await svc.post("/access/v1/evaluation", fixture)).body.decision);
  assert.deepEqual([...decisions], [true]);
});

test("pagination: page.limit splits the results, page.next_token continues, an empty token ends", async () => {
  const search = { subject: { type: "user" }, action: { name: "read" }, resource: { type: "record", id: "record-1" } };
  const first = await svc.post("/access/v1/search/subject", { ...search, page: { limit: 1 } });
  assert.equal(first.status, 200);
  assert.equal(first.body.results.length, 1);
  assert.equal(first.body.page.total, 2);
  assert.notEqual(first.body.page.next_token, "");
  const second = await svc.post("/access/v1/search/subject", { ...search, page: { token: first.body.page.next_token } });
  assert.equal(second.status, 200);
  assert.equal(second.body.page.next_token, "");
  const ids = [...first.body.results, ...second.body.results].map((r: { id: string }) => r.id).sort();
  assert.deepEqual(ids, ["alice", "bob"]);
  const bad = await svc.post("/access/v1/search/subject", { ...search, page: { token: "not-ours" } });
  assert.equal(bad.status, 400);
});

test("discovery: /.well-known/authzen-configuration names the PDP and every endpoint it serves", async () => {
  const r = await svc.get("/.well-known/authzen-configuration", { "x-request-id": "meta-1" });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, {
    policy_decision_point: svc.url,
    access_evaluation_endpoint: `${svc.url}/access/v1/evaluation`,
    access_evaluations_endpoint: `${svc.url}/access/v1/evaluations`,
    search_subject_endpoint: `${svc.url}/access/v1/search/subject`,
    search_resource_endpoint: `${svc.url}/access/v1/search/resource`,
    search_action_endpoint: `${svc.url}/access/v1/search/action`,
  });
  const configured = await startApp({
    CUSTOS_BUNDLE: await buildCertBundle(),
    CUSTOS_WATCH_INTERVAL_MS: "0",
    CUSTOS_AUDIT_LOG: "off",
    CUSTOS_AUTHZEN_ISSUER: "https://pdp.example.com/tenant1/",
  });
  try {
    const m = await configured.get("/.well-known/authzen-configuration");
    assert.equal(m.body.policy_decision_point, "https://pdp.example.com/tenant1");
    assert.equal(m.body.access_evaluation_endpoint, "https://pdp.example.com/tenant1/access/v1/evaluation");
  } finally {
    await configured.close();
  }
  for (const bad of ["ftp://pdp.example.com", "https://pdp.example.com/?tenant=1", "pdp.example.com"]) {
    assert.throws(
      () => loadConfig({ CUSTOS_AUTHZEN_ISSUER: bad }),
      (err: { errors?: { field: string }[] }) => err.errors?.[0]?.field === "CUSTOS_AUTHZEN_ISSUER",
      bad,
    );
  }
  assert.throws(() => loadConfig({ CUSTOS_AUTHZEN_ENTRYPOINT: "data.custos.authzen" }), /CUSTOS_AUTHZEN_ENTRYPOINT/);
});
