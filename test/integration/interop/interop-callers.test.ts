// The AuthZEN and Data API routes share /decide's PEP authentication and rate limit (metadata discovery stays
// open), record their decisions in the decision log with the caller, and mount on the embeddable Express router.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import express from "express";
import { Registry } from "prom-client";
import { createCustosRouter } from "../../../src/http/express-app.js";
import { sendJson } from "../../../src/http/respond.js";
import { startApp } from "../../helpers/app.js";
import { buildTodoBundle, interopSet } from "./interop-sets.js";

const sha = (t: string) => createHash("sha256").update(t).digest("hex");
const rick = () => interopSet("todo-decisions-authorization-api-1_0-02.json").evaluation[0].request;

test("PEP token and rate limit apply to AuthZEN and the Data API; the decision log records them with the caller", async () => {
  const peps = join(mkdtempSync(join(tmpdir(), "custos-peps-")), "peps.json");
  writeFileSync(peps, JSON.stringify({ peps: [{ name: "gateway-a", token_sha256: sha("pep-token-a") }] }));
  const svc = await startApp({ CUSTOS_BUNDLE: await buildTodoBundle(), CUSTOS_PEP_TOKENS_FILE: peps, CUSTOS_PEP_RATE_LIMIT: "2", CUSTOS_WATCH_INTERVAL_MS: "0" });
  try {
    const auth = { authorization: "Bearer pep-token-a" };
    assert.equal((await svc.post("/access/v1/evaluation", rick())).status, 401);
    assert.equal((await svc.post("/access/v1/evaluations", { evaluations: [rick()] })).status, 401);
    assert.equal((await svc.post("/v1/data/custos/authzen/evaluation", { input: rick() })).status, 401);
    assert.equal((await svc.get("/.well-known/authzen-configuration")).status, 200);
    const ok = await svc.post("/access/v1/evaluation", rick(), auth);
    assert.deepEqual(ok.body, { decision: true });
    const data = await svc.post("/v1/data/custos/authzen/evaluation", { input: rick() }, auth);
    assert.equal(data.status, 200);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await svc.post("/access/v1/evaluation", rick(), auth)).status);
    assert.ok(statuses.includes(429), statuses.join(","));
    await svc.app.evidence.flush();
    const records = readFileSync(svc.auditPath, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const fromData = records.find((r) => r.decision_id === data.body.decision_id);
    assert.equal(fromData.event, "data_api");
    assert.equal(fromData.caller, "gateway-a");
    const authzen = records.filter((r) => r.event === "authzen");
    assert.ok(authzen.length >= 1 && authzen.every((r) => r.caller === "gateway-a" && r.result.decision === "allow"));
  } finally {
    await svc.close();
  }
});

test("the embeddable Express router mounts the extra decision routes, prefix routes included", async () => {
  const outer = express();
  outer.use(
    "/custos",
    createCustosRouter({
      admin: express.Router(),
      registry: new Registry(),
      ready: async () => ({ ok: true, checks: {} }),
      routes: [
        { method: "POST", path: "/v1/data/", prefix: true, handler: (req, res) => sendJson(res, 200, { url: req.url }) },
        { method: "GET", path: "/.well-known/authzen-configuration", handler: (_req, res) => sendJson(res, 200, { ok: true }) },
      ],
    }),
  );
  const server = createServer(outer);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/custos`;
  try {
    const data = await fetch(`${base}/v1/data/custos/main/decision`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    assert.deepEqual(await data.json(), { url: "/v1/data/custos/main/decision" });
    assert.deepEqual(await (await fetch(`${base}/.well-known/authzen-configuration`)).json(), { ok: true });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
