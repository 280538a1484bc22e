// Custos embedded in a user's own Express app: `createApp(config).router` mounted under a path, behind the host's
// own express.json(), serves decisions, health and admin there; paths it does not serve fall through to the host.
import assert from "node:assert/strict";
import { once } from "node:events";
import type { Server } from "node:http";
import { after, before, describe, test } from "node:test";
import express from "express";
import { createApp, loadConfig, type App } from "../../../src/index.js";
import { silentLogger } from "../../../src/observability/logger.js";

describe("embedded as an Express router", () => {
  let custos: App;
  let host: Server;
  let url: string;
  before(async () => {
    // The host listens on 127.0.0.1 only and says so (no PEP tokens here).
    custos = await createApp(loadConfig({ CUSTOS_AUDIT_LOG: "off", CUSTOS_ADMIN_TOKEN: "embed-admin" }), { logger: silentLogger(), loopbackOnly: true });
    const app = express();
    app.use(express.json());
    app.get("/hello", (_req, res) => {
      res.json({ host: true });
    });
    app.use("/custos", custos.router);
    app.use((_req, res) => {
      res.status(404).json({ host_404: true });
    });
    host = app.listen(0, "127.0.0.1");
    await once(host, "listening");
    const address = host.address();
    url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  after(async () => {
    host?.close();
    await custos?.close();
  });

  test("decisions, health and admin under the mount path, behind the host's body parser", async () => {
    const body = { session: { id: "s-embed" }, event: "prompt", identity: { id: "user:nobody", type: "human" } };
    const r = await fetch(`${url}/custos/decide`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    assert.equal(r.status, 200);
    const decision = (await r.json()) as { decision: string; reasons: { code: string }[] };
    assert.equal(decision.decision, "deny");
    assert.ok(decision.reasons.some((x) => x.code === "UNREGISTERED_IDENTITY"));

    const bad = await fetch(`${url}/custos/decide`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ event: "prompt" }) });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { code: string }).code, "invalid_request");

    assert.equal((await fetch(`${url}/custos/health/ready`)).status, 200);
    assert.equal((await fetch(`${url}/custos/admin/sessions/s-embed`, { headers: { authorization: "Bearer embed-admin" } })).status, 200);
    assert.equal((await fetch(`${url}/custos/admin/sessions/s-embed`)).status, 401);
    assert.match(await (await fetch(`${url}/custos/metrics`)).text(), /^custos_decisions_total\{decision="deny",event="prompt"\} 1$/m);
  });

  test("the host's own routes and 404 are untouched", async () => {
    assert.deepEqual(await (await fetch(`${url}/hello`)).json(), { host: true });
    assert.deepEqual(await (await fetch(`${url}/custos/nothing-here`)).json(), { host_404: true });
  });
});
