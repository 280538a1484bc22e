// POST /decide over real HTTP against the committed bundle: the request contract, errors, explain, fixtures table.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { startApp, withTimes, type RunningApp } from "../../helpers/app.js";

interface Fixture {
  name: string;
  request: Record<string, unknown>;
  expect: { decision: string; codes: string[] };
}
const fixtures = JSON.parse(readFileSync("test/fixtures/decisions.json", "utf8")) as Fixture[];

const minimal = {
  session: { id: "s-api-1" },
  event: "prompt",
  identity: { id: "user:dana", type: "human" },
  purpose: "customer_support",
};

describe("POST /decide", () => {
  let svc: RunningApp;
  before(async () => {
    svc = await startApp({ CUSTOS_ADMIN_TOKEN: "admin-secret-token" });
  });
  after(() => svc.close());

  test("a decision is a 200 with a decision id, reasons, obligations, session and policy revision", async () => {
    const r = await svc.post("/decide", minimal);
    assert.equal(r.status, 200);
    assert.match(r.body.decision, /^(allow|deny|escalate)$/);
    assert.match(r.body.decision_id, /^[0-9a-f-]{36}$/);
    assert.ok(Array.isArray(r.body.reasons) && Array.isArray(r.body.obligations));
    assert.equal(r.body.session.id, "s-api-1");
    assert.equal(r.body.policy.revision, svc.app.policy.current()?.revision);
    const again = await svc.post("/decide", minimal);
    assert.notEqual(again.body.decision_id, r.body.decision_id);
  });

  for (const f of fixtures) {
    test(`fixture: ${f.name}`, async () => {
      const r = await svc.post("/decide", withTimes(f.request));
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const codes = (r.body.reasons as { code: string }[]).map((x) => x.code).sort();
      assert.deepEqual({ decision: r.body.decision, codes }, { decision: f.expect.decision, codes: [...f.expect.codes].sort() });
      if (r.body.decision === "deny") assert.ok(r.body.reasons.length > 0, "a deny carries a reason");
      for (const reason of r.body.reasons) {
        assert.match(reason.severity, /^(low|medium|high|critical)$/);
        assert.ok(Array.isArray(reason.controls) && reason.controls.length > 0, `${reason.code} maps to controls`);
        assert.ok(typeof reason.message === "string" && reason.message.length > 0);
      }
    });
  }

  test("unknown fields are ignored", async () => {
    const r = await svc.post("/decide", { ...minimal, future_field: { x: 1 }, identity: { ...minimal.identity, nickname: "d" } });
    assert.equal(r.status, 200);
  });

  test("a missing required field is a 400 naming it", async () => {
    const r = await svc.post("/decide", { ...minimal, identity: { id: "user:dana" } });
    assert.equal(r.status, 400);
    assert.equal(r.body.code, "invalid_request");
    assert.deepEqual(r.body.errors.map((e: { field: string }) => e.field), ["identity.type"]);
    assert.match(r.body.message, /identity\.type/);
  });

  test("wrong types, bad enums, bad formats and over-long values are 400s naming the field", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...minimal, event: "telepathy" }, "event"],
      [{ ...minimal, session: { id: 42 } }, "session.id"],
      [{ ...minimal, session: { id: "x".repeat(300) } }, "session.id"],
      [{ ...minimal, identity: { ...minimal.identity, credential: { expires_at: "tomorrow" } } }, "identity.credential.expires_at"],
      [{ ...minimal, data: { classification: "secret" } }, "data.classification"],
      [{ ...minimal, identity: { ...minimal.identity, scopes: "cases:read" } }, "identity.scopes"],
      [{ ...minimal, tool: { server: "github" } }, "tool.name"],
    ];
    for (const [body, field] of cases) {
      const r = await svc.post("/decide", body);
      assert.equal(r.status, 400, field);
      assert.ok(r.body.errors.some((e: { field: string }) => e.field === field), `${field} in ${JSON.stringify(r.body.errors)}`);
    }
  });

  test("a body that is not JSON is a 400; not application/json a 415; over 1 MiB a 413; empty a 400", async () => {
    assert.equal((await svc.post("/decide", "{not json")).body.code, "invalid_json");
    const r415 = await fetch(`${svc.url}/decide`, { method: "POST", headers: { "content-type": "text/plain" }, body: "hi" });
    assert.equal(r415.status, 415);
    assert.equal(((await r415.json()) as { code: string }).code, "unsupported_media_type");
    const big = { ...minimal, data: { text: "a".repeat(1024 * 1024 + 10) } };
    const r413 = await svc.post("/decide", big);
    assert.equal(r413.status, 413);
    assert.equal(r413.body.code, "payload_too_large");
    const empty = await svc.post("/decide", "");
    assert.equal(empty.status, 400);
  });

  test("GET /decide is a 405 and an unknown route a JSON 404", async () => {
    const r = await svc.get("/decide");
    assert.equal(r.status, 405);
    assert.equal(r.body.code, "method_not_allowed");
    const nf = await svc.get("/nope");
    assert.equal(nf.status, 404);
    assert.equal(nf.body.code, "not_found");
  });

  test("explain=1 needs the admin token and returns the exact policy input and raw output", async () => {
    const denied = await svc.post("/decide?explain=1", minimal);
    assert.equal(denied.status, 401);
    const wrong = await svc.post("/decide?explain=1", minimal, { authorization: "Bearer nope" });
    assert.equal(wrong.status, 401);
    const r = await svc.post("/decide?explain=1", { ...minimal, data: { text: "hello" } }, { authorization: "Bearer admin-secret-token" });
    assert.equal(r.status, 200);
    assert.equal(r.body.explain.entrypoint, "custos/main/decision");
    assert.equal(typeof r.body.explain.input.now, "number");
    assert.equal(r.body.explain.input.request.data.text, undefined, "the text is not in the policy input");
    assert.equal(r.body.explain.output.decision, r.body.decision);
  });

  test("health: live and ready", async () => {
    assert.equal((await svc.get("/health/live")).status, 200);
    const ready = await svc.get("/health/ready");
    assert.equal(ready.status, 200);
    assert.equal(ready.body.checks.state.reachable, true);
  });
});

describe("without an admin token", () => {
  let svc: RunningApp;
  before(async () => {
    svc = await startApp();
  });
  after(() => svc.close());
  test("explain and the admin API are disabled (404)", async () => {
    assert.equal((await svc.post("/decide?explain=1", minimal, { authorization: "Bearer x" })).status, 404);
    assert.equal((await svc.get("/admin/sessions/s-1", { authorization: "Bearer x" })).status, 404);
  });
});

describe("hostile input", () => {
  let svc: RunningApp;
  before(async () => {
    svc = await startApp();
  });
  after(() => svc.close());
  test("deep nesting and huge arrays in tool arguments are 400s naming the place, and the service keeps serving", async () => {
    // Built as text: the value is too deep for JSON.stringify itself.
    const deep = `${"[".repeat(5000)}"x"${"]".repeat(5000)}`;
    const body = JSON.stringify({ ...minimal, event: "tool_call", tool: { server: "s", name: "n", arguments: { a: "DEEP" } } }).replace('"DEEP"', deep);
    const r = await svc.post("/decide", body);
    assert.equal(r.status, 400);
    assert.match(r.body.errors[0].field, /^tool\.arguments\.a(\.0)+$/);
    const wide = await svc.post("/decide", { ...minimal, event: "tool_call", tool: { server: "s", name: "n", arguments: { a: Array(30000).fill(1) } } });
    assert.equal(wide.status, 400);
    assert.equal((await svc.post("/decide", minimal)).status, 200);
  });
  test("__proto__ and constructor keys change nothing", async () => {
    const body = `{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, ${JSON.stringify(minimal).slice(1)}`;
    const r = await svc.post("/decide", body);
    assert.equal(r.status, 200);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
  });
});
