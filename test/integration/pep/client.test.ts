// The PEP client against a real Custos: decisions, caller errors, and fail-closed answers when Custos cannot judge.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createCustosClient, CustosClientError, PDP_UNAVAILABLE, type DecideRequest } from "../../../src/index.js";
import { startApp, type RunningApp } from "../../helpers/app.js";
import { closedPort, silentServer } from "./net.js";

const read = (session: string, identity = "t:agent"): DecideRequest => ({
  session: { id: session },
  event: "retrieval",
  identity: { id: identity, type: "agent" },
  action: "read",
  resource: { id: "dataset:t-internal", type: "dataset" },
  purpose: "testing",
});

/** A fetch that counts its calls. */
function countingFetch(): { fetch: typeof fetch; calls: () => number } {
  let calls = 0;
  return {
    fetch: (input, init) => {
      calls++;
      return fetch(input, init);
    },
    calls: () => calls,
  };
}

describe("PEP client", () => {
  let svc: RunningApp;
  before(async () => {
    svc = await startApp({ CUSTOS_DATA: "test/fixtures/ledger-registry.json", CUSTOS_WATCH_INTERVAL_MS: "0" });
  });
  after(() => svc.close());

  test("an allowed request resolves with Custos's decision", async () => {
    const client = createCustosClient({ baseUrl: svc.url });
    const d = await client.decide(read("s-pep-client-allow"));
    assert.equal(d.decision, "allow", JSON.stringify(d.reasons));
    assert.match(d.decision_id, /^[0-9a-f-]{36}$/);
    assert.equal(d.session.id, "s-pep-client-allow");
    assert.equal(d.policy.revision, svc.app.policy.current()?.revision);
    assert.equal(d.failed, undefined);
  });

  test("a deny resolves (not throws) with its reasons", async () => {
    const client = createCustosClient({ baseUrl: svc.url + "/" });
    const d = await client.decide(read("s-pep-client-deny", "t:nobody"));
    assert.equal(d.decision, "deny");
    assert.ok(d.reasons.some((r) => r.code === "UNREGISTERED_IDENTITY"), JSON.stringify(d.reasons));
    assert.equal(d.failed, undefined);
  });

  test("a request Custos cannot judge throws CustosClientError naming the field, without retrying", async () => {
    const counter = countingFetch();
    const client = createCustosClient({ baseUrl: svc.url, fetch: counter.fetch });
    const bad = { ...read("s-pep-client-400"), identity: { id: "t:agent", type: "robot" } } as unknown as DecideRequest;
    const err = await client.decide(bad).then(
      () => assert.fail("expected a CustosClientError"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof CustosClientError);
    assert.equal(err.status, 400);
    assert.equal(err.code, "invalid_request");
    assert.ok(err.errors?.some((e) => e.field === "identity.type"), JSON.stringify(err.errors));
    assert.equal(counter.calls(), 1);
  });

  test("a 503 deny from Custos (state store down) is returned as Custos's deny, marked failed", async () => {
    const down = await startApp({
      CUSTOS_DATA: "test/fixtures/ledger-registry.json",
      REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
      CUSTOS_STATE_TIMEOUT_MS: "100",
      CUSTOS_WATCH_INTERVAL_MS: "0",
    });
    try {
      const d = await createCustosClient({ baseUrl: down.url, failOpen: true }).decide(read("s-pep-client-503"));
      assert.equal(d.decision, "deny");
      assert.deepEqual(d.reasons.map((r) => r.code), ["STATE_UNAVAILABLE"]);
      assert.equal(d.failed?.code, "state_unavailable");
    } finally {
      await down.close();
    }
  });

  test("Custos down: a synthesized deny PDP_UNAVAILABLE after the retries, within the timeout", async () => {
    const counter = countingFetch();
    const client = createCustosClient({ baseUrl: `http://127.0.0.1:${await closedPort()}`, timeoutMs: 1000, retries: 2, fetch: counter.fetch });
    const started = Date.now();
    const d = await client.decide(read("s-pep-client-down"));
    const took = Date.now() - started;
    assert.equal(d.decision, "deny");
    assert.deepEqual(d.reasons.map((r) => r.code), [PDP_UNAVAILABLE]);
    assert.equal(d.failed?.code, "unreachable");
    assert.match(d.failed?.message ?? "", /ECONNREFUSED/);
    assert.equal(d.session.id, "s-pep-client-down");
    assert.equal(counter.calls(), 3, "one attempt and two retries");
    assert.ok(took < 1000, `took ${took} ms`);
  });

  test("a Custos that never answers: a timeout deny after timeoutMs, not retried", async () => {
    const slow = await silentServer();
    try {
      const counter = countingFetch();
      const client = createCustosClient({ baseUrl: slow.url, timeoutMs: 200, fetch: counter.fetch });
      const started = Date.now();
      const d = await client.decide(read("s-pep-client-slow"));
      const took = Date.now() - started;
      assert.equal(d.decision, "deny");
      assert.deepEqual(d.reasons.map((r) => r.code), [PDP_UNAVAILABLE]);
      assert.equal(d.failed?.code, "timeout");
      assert.ok(took >= 190 && took < 800, `took ${took} ms`);
      assert.equal(counter.calls(), 1);
    } finally {
      await slow.close();
    }
  });

  test("failOpen: Custos down gives an allow that still says why", async () => {
    const client = createCustosClient({ baseUrl: `http://127.0.0.1:${await closedPort()}`, failOpen: true, retries: 0 });
    const d = await client.decide(read("s-pep-client-open"));
    assert.equal(d.decision, "allow");
    assert.deepEqual(d.reasons.map((r) => r.code), [PDP_UNAVAILABLE]);
    assert.equal(d.failed?.code, "unreachable");
  });
});
