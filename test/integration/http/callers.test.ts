// PEP authentication (bearer tokens stored as digests, or mutual TLS), the per-PEP rate limit, and the refusal to
// serve unauthenticated decisions beyond loopback.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { createApp } from "../../../src/app.js";
import { loadConfig } from "../../../src/config/load-config.js";
import { CustosError } from "../../../src/errors.js";
import { silentLogger } from "../../../src/observability/logger.js";
import { startApp } from "../../helpers/app.js";

const body = { session: { id: "s-callers" }, event: "prompt", identity: { id: "user:nobody", type: "human" } };
const sha = (t: string) => createHash("sha256").update(t).digest("hex");

function tokensFile(entries: { name: string; token: string }[]): string {
  const path = join(mkdtempSync(join(tmpdir(), "custos-peps-")), "peps.json");
  writeFileSync(path, JSON.stringify({ peps: entries.map((e) => ({ name: e.name, token_sha256: sha(e.token) })) }));
  return path;
}

describe("PEP bearer tokens", () => {
  test("decisions need a known PEP token; its name is recorded; the admin token is not a PEP token", async () => {
    const svc = await startApp({ CUSTOS_PEP_TOKENS_FILE: tokensFile([{ name: "gateway-a", token: "pep-token-a" }]), CUSTOS_ADMIN_TOKEN: "admin-x" });
    try {
      assert.equal((await svc.post("/decide", body)).status, 401);
      assert.equal((await svc.post("/decide", body, { authorization: "Bearer wrong" })).status, 401);
      assert.equal((await svc.post("/decide", body, { authorization: "Bearer admin-x" })).status, 401);
      const ok = await svc.post("/decide", body, { authorization: "Bearer pep-token-a" });
      assert.equal(ok.status, 200);
      await svc.app.evidence.flush();
      const rec = readFileSync(svc.auditPath, "utf8").trim().split("\n").map((l) => JSON.parse(l)).find((r) => r.decision_id === ok.body.decision_id);
      assert.equal(rec.caller, "gateway-a");
      assert.ok(!readFileSync(svc.auditPath, "utf8").includes("pep-token-a"));
    } finally {
      await svc.close();
    }
  });

  test("a tokens file that reuses the admin token, or is malformed, stops the start with a clear message", async () => {
    const same = tokensFile([{ name: "gw", token: "shared" }]);
    await assert.rejects(startApp({ CUSTOS_PEP_TOKENS_FILE: same, CUSTOS_ADMIN_TOKEN: "shared" }), /admin token/);
    const broken = join(mkdtempSync(join(tmpdir(), "custos-peps-")), "p.json");
    writeFileSync(broken, JSON.stringify({ peps: [{ name: "gw", token_sha256: "plaintext-token" }] }));
    await assert.rejects(startApp({ CUSTOS_PEP_TOKENS_FILE: broken }), /token_sha256/);
  });

  test("over the per-PEP rate limit: 429 with Retry-After, other PEPs unaffected", async () => {
    const svc = await startApp({
      CUSTOS_PEP_TOKENS_FILE: tokensFile([
        { name: "a", token: "tok-a" },
        { name: "b", token: "tok-b" },
      ]),
      CUSTOS_PEP_RATE_LIMIT: "5",
    });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 15; i++) {
        const r = await svc.post("/decide", body, { authorization: "Bearer tok-a" });
        statuses.push(r.status);
        if (r.status === 429) {
          retryAfter = r.headers.get("retry-after");
          assert.equal(r.body.code, "rate_limited");
        }
      }
      assert.ok(statuses.includes(429), statuses.join(","));
      assert.ok(Number(retryAfter) >= 1);
      assert.equal((await svc.post("/decide", body, { authorization: "Bearer tok-b" })).status, 200);
    } finally {
      await svc.close();
    }
  });
});

test("no tokens and no mTLS on a non-loopback HOST: refuses to start", async () => {
  const config = loadConfig({ HOST: "0.0.0.0", CUSTOS_AUDIT_LOG: "off" });
  await assert.rejects(createApp(config, { logger: silentLogger() }), (e: unknown) => e instanceof CustosError && /unauthenticated/.test(e.message));
});

describe("mutual TLS", () => {
  test("a client certificate signed by CUSTOS_TLS_CA is required; its CN names the PEP", async () => {
    const dir = mkdtempSync(join(tmpdir(), "custos-tls-"));
    const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
    ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=test-ca");
    for (const [name, cn, ext] of [
      ["server", "127.0.0.1", "subjectAltName=IP:127.0.0.1"],
      ["client", "gateway-mtls", "extendedKeyUsage=clientAuth"],
    ] as const) {
      ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`);
      writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
      ssl("x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${name}.pem`, "-days", "2", "-extfile", `${name}.ext`);
    }
    const svc = await startApp({
      CUSTOS_TLS_CERT: join(dir, "server.pem"),
      CUSTOS_TLS_KEY: join(dir, "server.key"),
      CUSTOS_TLS_CA: join(dir, "ca.pem"),
    });
    const port = new URL(svc.url).port;
    const call = (withCert: boolean) =>
      new Promise<{ status: number; body: any }>((resolve, reject) => {
        const req = request(
          {
            host: "127.0.0.1",
            port,
            path: "/decide",
            method: "POST",
            headers: { "content-type": "application/json" },
            ca: readFileSync(join(dir, "ca.pem")),
            ...(withCert ? { cert: readFileSync(join(dir, "client.pem")), key: readFileSync(join(dir, "client.key")) } : {}),
          },
          (res) => {
            let text = "";
            res.on("data", (c) => (text += c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
          },
        );
        req.on("error", reject);
        req.end(JSON.stringify(body));
      });
    try {
      const ok = await call(true);
      assert.equal(ok.status, 200);
      await assert.rejects(call(false));
      await svc.app.evidence.flush();
      const rec = readFileSync(svc.auditPath, "utf8").trim().split("\n").map((l) => JSON.parse(l)).find((r) => r.decision_id === ok.body.decision_id);
      assert.equal(rec.caller, "gateway-mtls");
    } finally {
      await svc.close();
    }
    // TLS files that are missing or do not belong together stop the start with the variable's name.
    await assert.rejects(startApp({ CUSTOS_TLS_CERT: join(dir, "missing.pem"), CUSTOS_TLS_KEY: join(dir, "server.key") }), /CUSTOS_TLS_CERT .*missing\.pem: cannot read \(ENOENT\)/);
    await assert.rejects(startApp({ CUSTOS_TLS_CERT: join(dir, "server.key"), CUSTOS_TLS_KEY: join(dir, "server.pem") }), /CUSTOS_TLS_CERT, CUSTOS_TLS_KEY: not a usable/);
    await assert.rejects(
      startApp({ CUSTOS_TLS_CERT: join(dir, "server.pem"), CUSTOS_TLS_KEY: join(dir, "server.key"), CUSTOS_TLS_CA: join(dir, "nope.pem") }),
      /CUSTOS_TLS_CA .*nope\.pem: cannot read/,
    );
  });
});
