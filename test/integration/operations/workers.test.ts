// The real process with two cluster workers over a real redis-server: both workers serve one port and share one
// ledger exactly; the service keeps one verifiable decision log (CUSTOS_AUDIT_LOG, written by the primary) and one
// /metrics; an admin reload reaches every worker; SIGTERM stops all of them cleanly; and a worker that cannot start
// makes the whole service exit 1 instead of restarting it forever.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { verifyChain } from "../../../src/audit/index.js";
import { startRedis, type RedisServer } from "../../helpers/redis-server.js";
import { startService } from "../../helpers/service.js";

const TOKEN = "workers-admin-token";


describe("two workers on one port, one Redis ledger", () => {
  let redis: RedisServer;
  let dir: string;
  before(async () => {
    redis = await startRedis();
    dir = mkdtempSync(join(tmpdir(), "custos-workers-"));
  });
  after(async () => {
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("200 parallel violations over both workers count 200; one decision log and one /metrics for the service; SIGTERM exits 0", { timeout: 60_000 }, async () => {
    const data = join(dir, "data.json");
    writeFileSync(data, readFileSync("test/fixtures/ledger-registry.json"));
    const audit = join(dir, "audit.jsonl");
    const service = await startService(
      { REDIS_URL: redis.url, CUSTOS_WORKERS: "2", CUSTOS_ADMIN_TOKEN: TOKEN, CUSTOS_DATA: data, CUSTOS_AUDIT_LOG: audit, CUSTOS_STATE_TIMEOUT_MS: "2000" },
      2,
    );
    const session = `s-workers-${process.pid}`;
    const body = JSON.stringify({ session: { id: session }, event: "prompt", identity: { id: "t:nobody", type: "human" }, purpose: "testing" });
    const answers = await Promise.all(
      Array.from({ length: 200 }, () =>
        fetch(`${service.url}/decide`, { method: "POST", headers: { "content-type": "application/json" }, body }).then(async (r) => [r.status, ((await r.json()) as { decision: string }).decision]),
      ),
    );
    assert.deepEqual(answers.filter(([status, decision]) => status !== 200 || decision !== "deny"), []);
    const view = (await (await fetch(`${service.url}/admin/sessions/${session}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { violations: number };
    assert.equal(view.violations, 200, "no update lost between the workers");

    // Whichever worker answers /metrics, it counts the service's decisions, not its own.
    for (let i = 0; i < 4; i++) {
      const text = await (await fetch(`${service.url}/metrics`)).text();
      const denied = /^custos_decisions_total\{decision="deny",event="prompt"\} (\d+)$/m.exec(text);
      assert.equal(denied?.[1], "200", `scrape ${i}: ${denied?.[0]}`);
      assert.match(text, /^custos_bundle_info\{revision="[0-9a-f]+"\} 1$/m);
    }

    service.kill("SIGTERM");
    assert.equal(await service.exited, 0);
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith("audit")), ["audit.jsonl"], "one log file, CUSTOS_AUDIT_LOG itself");
    const records = readFileSync(audit, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { type: string });
    assert.equal(records.filter((r) => r.type === "decision").length, 200, "every answered decision of both workers");
    const verdict = await verifyChain([audit]);
    assert.equal(verdict.ok, true, JSON.stringify(verdict));
  });

  test("an admin bundle reload on one worker reloads every worker", { timeout: 60_000 }, async () => {
    const data = join(dir, "reload-data.json");
    const registry = JSON.parse(readFileSync("test/fixtures/ledger-registry.json", "utf8")) as { governance?: { settings?: Record<string, unknown> }; settings?: Record<string, unknown> };
    const settings = (threshold: number) => {
      const copy = structuredClone(registry);
      const target = copy.governance ?? copy;
      target.settings = { ...(target.settings ?? {}), risk_threshold: threshold };
      return JSON.stringify(copy);
    };
    writeFileSync(data, settings(1000));
    const service = await startService(
      { REDIS_URL: redis.url, CUSTOS_WORKERS: "2", CUSTOS_ADMIN_TOKEN: TOKEN, CUSTOS_DATA: data, CUSTOS_AUDIT_LOG: "off", CUSTOS_WATCH_INTERVAL_MS: "0" },
      2,
    );
    try {
      const decide = (s: string) =>
        fetch(`${service.url}/decide`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ session: { id: s }, event: "prompt", identity: { id: "t:nobody", type: "human" }, purpose: "testing" }),
        }).then(async (r) => ((await r.json()) as { reasons: { code: string }[] }).reasons.map((x) => x.code));
      writeFileSync(data, settings(1));
      const reload = await fetch(`${service.url}/admin/bundle/reload`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(reload.status, 200);
      await new Promise((r) => setTimeout(r, 300));
      // Fresh sessions over new connections reach both workers; all of them decide with the new threshold.
      const codes = await Promise.all(Array.from({ length: 24 }, (_, i) => decide(`s-reload-${process.pid}-${i}`)));
      assert.deepEqual(codes.filter((c) => !c.includes("RISK_THRESHOLD_EXCEEDED")), [], "no worker kept the old data");
    } finally {
      service.kill("SIGTERM");
      await service.exited;
    }
  });

  test("a worker that cannot start stops the service with exit code 1", { timeout: 30_000 }, async () => {
    const child = spawn(process.execPath, ["dist/src/main.js"], {
      env: { ...process.env, PORT: "0", REDIS_URL: redis.url, CUSTOS_WORKERS: "2", CUSTOS_BUNDLE: join(dir, "missing.tar.gz"), CUSTOS_AUDIT_LOG: "off" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    assert.equal(code, 1);
    assert.match(stderr, /cannot start: bundle_invalid/);
  });
});
