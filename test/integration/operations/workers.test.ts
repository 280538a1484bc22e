// The real process with two cluster workers over a real redis-server: both workers serve one port and share one
// ledger exactly, each keeps its own verifiable decision log, SIGTERM stops all of them cleanly, and a worker that
// cannot start makes the whole service exit 1 instead of restarting it forever.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, test } from "node:test";
import { verifyChain } from "../../../src/audit/index.js";
import { startRedis, type RedisServer } from "../../helpers/redis-server.js";

const TOKEN = "workers-admin-token";

interface Started {
  url: string;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

/** Spawns `node dist/src/main.js` and resolves once `workers` workers said they listen. */
function startService(env: Record<string, string>, workers: number): Promise<Started> {
  const child = spawn(process.execPath, ["dist/src/main.js"], {
    env: { ...process.env, PORT: "0", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise<Started>((resolve, reject) => {
    const urls = new Set<string>();
    const seen = new Set<number>();
    createInterface({ input: child.stdout }).on("line", (line) => {
      const m = /"url":"([^"]+)".*"worker":(\d+)/.exec(line);
      if (!m) return;
      urls.add(m[1]!);
      seen.add(Number(m[2]));
      if (seen.size === workers) resolve({ url: [...urls][0]!, exited, kill: (s) => child.kill(s) });
    });
    child.on("exit", (code) => reject(new Error(`custos exited (${code}) before ${workers} workers listened`)));
  });
}

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

  test("200 parallel violations over both workers count 200; each worker's log verifies; SIGTERM exits 0", { timeout: 60_000 }, async () => {
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

    service.kill("SIGTERM");
    assert.equal(await service.exited, 0);
    const logs = [1, 2].map((n) => join(dir, `audit.w${n}.jsonl`));
    let decisions = 0;
    for (const log of logs) {
      assert.ok(existsSync(log), `${log} exists`);
      const records = readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { type: string });
      const mine = records.filter((r) => r.type === "decision").length;
      assert.ok(mine > 0, `${log} holds decisions: both workers served`);
      decisions += mine;
      const verdict = await verifyChain([log]);
      assert.equal(verdict.ok, true, JSON.stringify(verdict));
    }
    assert.equal(decisions, 200, "every answered decision is in one of the two logs");
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
