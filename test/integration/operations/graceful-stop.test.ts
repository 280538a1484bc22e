// A graceful stop (SIGTERM) of the real process: in-flight requests finish, and every answered decision is in the
// decision log, whose chain verifies.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { verifyChain } from "../../../src/audit/index.js";

test("SIGTERM: in-flight requests are answered and every answered decision is flushed to a valid chain", async () => {
  const dir = mkdtempSync(join(tmpdir(), "custos-stop-"));
  const auditPath = join(dir, "audit.jsonl");
  const child = spawn(process.execPath, ["dist/src/main.js"], {
    env: { ...process.env, PORT: "0", CUSTOS_AUDIT_LOG: auditPath, LOG_LEVEL: "info", REDIS_URL: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.on("line", (line) => {
      const m = /"url":"([^"]+)"/.exec(line);
      if (m?.[1]) resolve(m[1]);
    });
    child.on("exit", () => reject(new Error("custos exited before listening")));
  });

  const body = JSON.stringify({ session: { id: "s-stop" }, event: "prompt", identity: { id: "user:nobody", type: "human" } });
  const send = () =>
    fetch(`${url}/decide`, { method: "POST", headers: { "content-type": "application/json" }, body }).then(
      async (r) => ((await r.json()) as { decision_id: string }).decision_id,
      () => null,
    );
  const answered: string[] = [];
  for (let i = 0; i < 50; i++) answered.push((await send()) as string);
  const inFlight = Array.from({ length: 40 }, send);
  child.kill("SIGTERM");
  for (const id of await Promise.all(inFlight)) if (id) answered.push(id);
  assert.equal(await exited, 0, "exits cleanly");

  const logged = new Set(
    readFileSync(auditPath, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; decision_id?: string })
      .filter((r) => r.type === "decision")
      .map((r) => r.decision_id),
  );
  for (const id of answered) assert.ok(logged.has(id), `answered decision ${id} is in the log`);
  assert.ok(answered.length >= 50);
  const verdict = await verifyChain([auditPath]);
  assert.equal(verdict.ok, true, JSON.stringify(verdict));
});
