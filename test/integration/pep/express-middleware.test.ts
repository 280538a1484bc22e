// custosGuard in a real Express app on a free port, asking a real Custos: refusals, approvals, redaction, outage.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, describe, test } from "node:test";
import express, { type Request } from "express";
import { createCustosClient, custosGuard, type CustosClient, type CustosGuardOptions, type DecideRequest } from "../../../src/index.js";
import { startApp, type RunningApp } from "../../helpers/app.js";
import { closedPort, listen } from "./net.js";

/** The decision request of the demo routes: who calls comes from a header, what from the route and body. */
function build(req: Request): DecideRequest {
  const identity = { id: req.get("x-principal") ?? "anonymous", type: "agent" as const };
  const session = { id: req.get("x-session") ?? "s-none" };
  if (req.path.startsWith("/models/")) {
    return { session, event: "model_access", identity, action: "deploy", resource: { id: `model:${req.params.id}`, type: "model" }, purpose: "testing" };
  }
  const text = (req.body as { text?: unknown } | undefined)?.text;
  return {
    session,
    event: "retrieval",
    identity,
    action: "read",
    resource: { id: `dataset:${req.params.id}`, type: "dataset" },
    purpose: "testing",
    ...(typeof text === "string" ? { data: { text } } : {}),
  };
}

/** A demo API guarded by custosGuard; `handled` counts requests that reached a handler. */
async function startApi(client: CustosClient, options?: CustosGuardOptions) {
  const api = express();
  api.use(express.json());
  const guard = custosGuard(client, build, options);
  let handled = 0;
  api.post("/datasets/:id/summaries", guard, (req, res) => {
    handled++;
    res.json({ text: req.body.text, decision: res.locals.custos.decision });
  });
  api.post("/models/:id/deploy", guard, (_req, res) => {
    handled++;
    res.json({ deployed: true });
  });
  const server: Server = createServer(api);
  const url = await listen(server);
  return {
    handled: () => handled,
    async post(path: string, principal: string, session: string, body: unknown = {}) {
      const res = await fetch(url + path, {
        method: "POST",
        headers: { "content-type": "application/json", "x-principal": principal, "x-session": session },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as any };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("custosGuard (Express middleware)", () => {
  let svc: RunningApp;
  let api: Awaited<ReturnType<typeof startApi>>;
  before(async () => {
    svc = await startApp({ CUSTOS_DATA: "test/fixtures/ledger-registry.json", CUSTOS_WATCH_INTERVAL_MS: "0" });
    api = await startApi(createCustosClient({ baseUrl: svc.url }));
  });
  after(async () => {
    await api.close();
    await svc.close();
  });

  test("deny: 403 with the decision id and reasons; the handler never runs", async () => {
    const before = api.handled();
    const r = await api.post("/datasets/t-internal/summaries", "t:nobody", "s-mw-deny", { text: "hello" });
    assert.equal(r.status, 403);
    assert.equal(r.body.decision, "deny");
    assert.match(r.body.decision_id, /^[0-9a-f-]{36}$/);
    assert.ok(r.body.reasons.some((x: { code: string }) => x.code === "UNREGISTERED_IDENTITY"), JSON.stringify(r.body));
    assert.equal(api.handled(), before);
  });

  test("escalate: 202 with the approval to wait for and the reasons", async () => {
    const before = api.handled();
    const r = await api.post("/models/t-model/deploy", "t:agent", "s-mw-escalate");
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.equal(r.body.decision, "escalate");
    assert.ok(r.body.reasons.some((x: { code: string }) => x.code === "APPROVAL_REQUIRED"));
    assert.match(r.body.approval.approval_id, /\S/);
    assert.ok(Date.parse(r.body.approval.expires_at) > Date.now());
    assert.equal(api.handled(), before);
  });

  test("escalateStatus 403 refuses held requests outright", async () => {
    const strict = await startApi(createCustosClient({ baseUrl: svc.url }), { escalateStatus: 403 });
    try {
      const r = await strict.post("/models/t-model/deploy", "t:agent", "s-mw-escalate-403");
      assert.equal(r.status, 403);
      assert.equal(r.body.decision, "escalate");
      assert.match(r.body.approval.approval_id, /\S/);
    } finally {
      await strict.close();
    }
  });

  test("allow with a redact obligation: the handler sees the redacted text and the decision", async () => {
    const r = await api.post("/datasets/t-internal/summaries", "t:agent", "s-mw-redact", { text: "Customer wrote from jane.doe@example.com today" });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.decision, "allow");
    assert.equal(r.body.text, "Customer wrote from [REDACTED:email] today");
  });

  test("Custos unreachable: 503 fail closed with PDP_UNAVAILABLE; the handler never runs", async () => {
    const orphan = await startApi(createCustosClient({ baseUrl: `http://127.0.0.1:${await closedPort()}`, retries: 0 }));
    try {
      const r = await orphan.post("/datasets/t-internal/summaries", "t:agent", "s-mw-down", { text: "hello" });
      assert.equal(r.status, 503);
      assert.equal(r.body.decision, "deny");
      assert.deepEqual(r.body.reasons.map((x: { code: string }) => x.code), ["PDP_UNAVAILABLE"]);
      assert.equal(orphan.handled(), 0);
    } finally {
      await orphan.close();
    }
  });
});
