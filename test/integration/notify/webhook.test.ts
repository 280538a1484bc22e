// Webhook notifications against a real receiver on 127.0.0.1 and a real redis-server: each notification arrives
// once with a valid signature, survives a receiver outage (retries with backoff) and a restart of Custos
// (redelivery from the outbox), and two workers sharing Redis deliver each notification exactly once.
import assert from "node:assert/strict";
import { createHmac, timingSafeEqual } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, test } from "node:test";
import { Redis } from "ioredis";
import { createFileOutbox } from "../../../src/notify/outbox-store.js";
import { createRedisOutbox } from "../../../src/notify/redis-outbox.js";
import { createWebhookDispatcher, type WebhookDispatcher } from "../../../src/notify/webhook-dispatcher.js";
import { startRedis, type RedisServer } from "../../helpers/redis-server.js";

const SECRET = "whsec-test-" + "7f3a9c";

interface Received {
  id: string;
  type: string;
  body: any;
  signatureOk: boolean;
}

/** A receiver that records what it gets and answers `status()` (503 while "down"). */
async function startReceiver(): Promise<{ url: string; got: Received[]; status: { code: number }; close(): Promise<void> }> {
  const got: Received[] = [];
  const status = { code: 200 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const header = String(req.headers["custos-signature"] ?? "");
      const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
      const expected = m ? createHmac("sha256", SECRET).update(`${m[1]}.${raw}`).digest() : null;
      const signatureOk = Boolean(m && expected && timingSafeEqual(expected, Buffer.from(m[2]!, "hex")) && Math.abs(Date.now() / 1000 - Number(m[1])) < 300);
      if (status.code === 200) {
        const body = JSON.parse(raw);
        got.push({ id: String(req.headers["custos-event-id"]), type: String(req.headers["custos-event-type"]), body, signatureOk });
      }
      res.writeHead(status.code).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/hook`, got, status, close: () => new Promise((r) => server.close(() => r())) };
}

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe("webhook notifications", () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let redis: RedisServer;
  let dir: string;
  before(async () => {
    receiver = await startReceiver();
    redis = await startRedis();
    dir = mkdtempSync(join(tmpdir(), "custos-outbox-"));
  });
  after(async () => {
    await receiver?.close();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("each notification arrives once, signed, with ids and codes only", async () => {
    receiver.got.length = 0;
    const d = createWebhookDispatcher({ url: receiver.url, secret: SECRET, store: createFileOutbox() });
    const e = await d.notify("approval.requested", {
      approval_id: "apr-1",
      session_id: "s-1",
      codes: ["APPROVAL_REQUIRED"],
      text: "customer wrote from jane@example.org",
      message: "free text",
    });
    await until("delivery", () => receiver.got.length === 1);
    await d.deliverDue();
    await sleep(100);
    assert.equal(receiver.got.length, 1);
    const r = receiver.got[0]!;
    assert.ok(r.signatureOk, "the signature verifies");
    assert.equal(r.id, e.id);
    assert.equal(r.type, "approval.requested");
    assert.deepEqual(Object.keys(r.body).sort(), ["data", "id", "time", "type"]);
    assert.deepEqual(r.body.data, { approval_id: "apr-1", session_id: "s-1", codes: ["APPROVAL_REQUIRED"] }, "content keys are dropped");
    await d.stop();
  });

  test("a receiver outage is retried with backoff until it answers, then delivered once", async () => {
    receiver.got.length = 0;
    receiver.status.code = 503;
    const results: string[] = [];
    const d = createWebhookDispatcher({
      url: receiver.url,
      secret: SECRET,
      store: createFileOutbox(),
      backoffBaseMs: 20,
      backoffMaxMs: 80,
      pollMs: 10,
      onResult: (r) => results.push(r),
    });
    d.start();
    await d.notify("session.terminated", { session_id: "s-2", reason_code: "RISK_THRESHOLD_EXCEEDED" });
    await until("three failed attempts", () => results.filter((r) => r === "failed").length >= 3);
    receiver.status.code = 200;
    await until("delivery", () => receiver.got.length === 1);
    await sleep(200);
    await d.stop();
    assert.equal(receiver.got.length, 1);
    assert.equal(results.filter((r) => r === "delivered").length, 1);
  });

  test("what was not delivered before a restart is delivered after it (file outbox)", async () => {
    receiver.got.length = 0;
    receiver.status.code = 503;
    const path = join(dir, "outbox.json");
    const first = createWebhookDispatcher({ url: receiver.url, secret: SECRET, store: createFileOutbox({ path }), backoffBaseMs: 10 });
    await first.notify("credential.revoked", { credential_id: "key-9" });
    await first.notify("principal.flagged", { principal_id: "agent:x", severity: "high" });
    await first.deliverDue();
    await first.stop();
    receiver.status.code = 200;
    const second = createWebhookDispatcher({ url: receiver.url, secret: SECRET, store: createFileOutbox({ path }), backoffBaseMs: 10, pollMs: 10 });
    second.start();
    await until("redelivery", () => receiver.got.length === 2);
    await sleep(100);
    await second.stop();
    assert.deepEqual(receiver.got.map((g) => g.type).sort(), ["credential.revoked", "principal.flagged"]);
    assert.ok(receiver.got.every((g) => g.signatureOk));
  });

  test("two workers on one Redis outbox deliver 100 notifications exactly once each, and a restart redelivers", async () => {
    receiver.got.length = 0;
    receiver.status.code = 200;
    const clients = [new Redis(redis.url), new Redis(redis.url)];
    const workers: WebhookDispatcher[] = clients.map((c) =>
      createWebhookDispatcher({ url: receiver.url, secret: SECRET, store: createRedisOutbox(c, { keyPrefix: "t1:" }), pollMs: 5, batch: 7 }),
    );
    for (const w of workers) w.start();
    const ids = new Set<string>();
    await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const e = await workers[i % 2]!.notify("review.opened", { review_id: `rev-${i}` });
        ids.add(e.id);
      }),
    );
    await until("100 deliveries", () => receiver.got.length >= 100);
    await sleep(300);
    for (const w of workers) await w.stop();
    assert.equal(receiver.got.length, 100, "nothing delivered twice");
    assert.deepEqual(new Set(receiver.got.map((g) => g.id)), ids);
    assert.equal(await clients[0]!.hlen("t1:{outbox}:entries"), 0, "delivered notifications leave the outbox");

    // Receiver down: the notification waits in Redis; a new dispatcher (a restarted Custos) delivers it.
    receiver.got.length = 0;
    receiver.status.code = 503;
    const before = createWebhookDispatcher({ url: receiver.url, store: createRedisOutbox(clients[0]!, { keyPrefix: "t1:" }) });
    await before.notify("session.terminated", { session_id: "s-r" });
    await before.deliverDue();
    await before.stop();
    receiver.status.code = 200;
    const afterRestart = createWebhookDispatcher({ url: receiver.url, store: createRedisOutbox(clients[1]!, { keyPrefix: "t1:" }), pollMs: 10, backoffBaseMs: 10 });
    afterRestart.start();
    await until("redelivery", () => receiver.got.length === 1, 15_000);
    await afterRestart.stop();
    for (const c of clients) c.disconnect();
  });

  test("slack format: a one-line text a chat shows, with the same event beside it", async () => {
    receiver.got.length = 0;
    receiver.status.code = 200;
    const d = createWebhookDispatcher({ url: receiver.url, secret: SECRET, format: "slack", store: createFileOutbox() });
    await d.notify("approval.requested", { approval_id: "apr-7", session_id: "s-7", codes: ["APPROVAL_REQUIRED"] });
    await until("delivery", () => receiver.got.length === 1);
    await d.stop();
    const body = receiver.got[0]!.body;
    assert.match(body.text, /^Custos approval\.requested: approval_id=apr-7 session_id=s-7 codes=APPROVAL_REQUIRED$/);
    assert.equal(body.custos.type, "approval.requested");
  });
});
