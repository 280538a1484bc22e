// Adversarial requests at the front door: malformed Unicode, fields Custos does not inspect, secrets hidden in keys,
// times it cannot read, and requests whose work is out of proportion to their size. Each case is a reproduction of an
// attack on an earlier build: it must be answered with a 4xx naming the field or with a deny, never a 5xx, an allow,
// or a value in clear in the decision log.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { startApp, type RunningApp } from "../../helpers/app.js";

// Synthetic values, split so that no scanner flags this file.
const GITHUB = "ghp_" + "R8sVb3kLq2Xw9ZtYp4Nc7Md1Fg6Hj0Ka5Ue2";
const AWS = "AKIA" + "Q7RZ4KX2M9WPL3VB";
const MAIL = "ines.moreau@" + "example.org";

const base = {
  session: { id: "s-adv" },
  event: "tool_call",
  identity: { id: "agent:coding-assistant", type: "agent", on_behalf_of: [{ id: "user:sam", type: "human" }] },
  action: "read",
  resource: { id: "repository:custos-app", type: "repository" },
  purpose: "software_development",
  tool: { server: "github", name: "read_file", arguments: { path: "src/app.ts" } },
};

const codes = (body: { reasons?: { code: string }[] }) => (body.reasons ?? []).map((r) => r.code);

describe("adversarial requests", () => {
  let svc: RunningApp;
  before(async () => {
    svc = await startApp({ CUSTOS_PEP_RATE_LIMIT: "0" });
  });
  after(async () => {
    await svc?.close();
  });

  /** The decision log as written so far (the app is closed and restarted to flush it). */
  async function decisionLog(): Promise<string> {
    await svc.app.close();
    const log = readFileSync(svc.auditPath, "utf8");
    svc = await startApp({ CUSTOS_PEP_RATE_LIMIT: "0" });
    return log;
  }

  describe("malformed Unicode is a 400 naming the field (it was a 500 that a fail-open PEP turned into an allow)", () => {
    const cases: [string, string][] = [
      ["a lone low surrogate in a tool argument", JSON.stringify({ ...base, tool: { ...base.tool, arguments: { path: "src/a.ts", q: "x" } } }).replace('"q":"x"', '"q":"\\udfff"')],
      ["a lone high surrogate in data.text", JSON.stringify({ ...base, data: { text: "x" } }).replace('"text":"x"', '"text":"a\\ud800b"')],
      ["a lone surrogate in the identity id", JSON.stringify(base).replace('"agent:coding-assistant"', '"agent:\\udfff"')],
      ["a lone surrogate in an object key of the arguments", JSON.stringify(base).replace('"path":', '"\\udc00":"x","path":')],
      ["a lone surrogate in an unknown field", JSON.stringify({ ...base, extra: "x" }).replace('"extra":"x"', '"extra":"\\udfff"')],
    ];
    for (const [name, raw] of cases) {
      test(name, async () => {
        const r = await svc.post("/decide", raw);
        assert.equal(r.status, 400, JSON.stringify(r.body));
        assert.equal(r.body.code, "invalid_request");
        assert.ok(r.body.errors?.[0]?.message.includes("Unicode"), JSON.stringify(r.body));
      });
    }
    test("the field is named without quoting a key that may be content", async () => {
      const raw = JSON.stringify({ ...base, tool: { ...base.tool, arguments: { [GITHUB]: { q: "x" } } } }).replace('"q":"x"', '"q":"\\udfff"');
      const r = await svc.post("/decide", raw);
      assert.equal(r.status, 400);
      assert.equal(r.body.errors[0].field, "tool.arguments.#0.q");
      assert.ok(!JSON.stringify(r.body).includes(GITHUB));
    });
    test("well-formed astral characters (a surrogate pair) still pass", async () => {
      const r = await svc.post("/decide", { ...base, session: { id: "s-adv-emoji" }, tool: { ...base.tool, arguments: { path: "src/app.ts", note: "ok \u{1F600}" } } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    });
  });

  describe("fields the contract does not name are neither evaluated nor recorded", () => {
    test("an OpenAI-style messages[] and a data.prompt_text carrying secrets never reach the log", async () => {
      const r = await svc.post("/decide", {
        ...base,
        session: { id: "s-adv-unknown" },
        messages: [{ role: "user", content: `use ${GITHUB}` }],
        data: { prompt_text: `key ${AWS}` },
        identity: { ...base.identity, nickname: MAIL },
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const log = await decisionLog();
      assert.ok(log.includes("s-adv-unknown"), "the decision is recorded");
      for (const v of [GITHUB, AWS, MAIL]) assert.ok(!log.includes(v), "no unknown field's value in the decision log");
      for (const k of ["prompt_text", "nickname", '"messages"']) assert.ok(!log.includes(k), `unknown field ${k} is not recorded`);
    });
  });

  describe("object keys of tool arguments are inspected", () => {
    test('{"body": {"ghp_…": true}} is a SECRET_IN_CONTENT deny, and the key is redacted in the log', async () => {
      const r = await svc.post("/decide", { ...base, session: { id: "s-adv-key" }, tool: { ...base.tool, arguments: { path: "src/app.ts", body: { [GITHUB]: true } } } });
      assert.equal(r.status, 200);
      assert.equal(r.body.decision, "deny");
      assert.ok(codes(r.body).includes("SECRET_IN_CONTENT"), JSON.stringify(r.body.reasons));
      assert.ok(!JSON.stringify(r.body).includes(GITHUB), "the answer does not quote the key");
      const log = await decisionLog();
      assert.ok(log.includes("s-adv-key"));
      assert.ok(!log.includes(GITHUB), "the key is not in the decision log");
    });
    test("an e-mail address as a key is redacted in the redact obligation, its value kept", async () => {
      const r = await svc.post("/decide", { ...base, session: { id: "s-adv-key-pii" }, tool: { ...base.tool, arguments: { path: "src/app.ts", cc: { [MAIL]: "yes" } } } });
      assert.equal(r.status, 200);
      const redact = r.body.obligations.find((o: { type: string }) => o.type === "redact");
      assert.deepEqual(redact?.arguments?.cc, { "[REDACTED:email]": "yes" }, JSON.stringify(r.body));
    });
  });

  describe("times Custos cannot read are a 400 (a leap second passed validation and the expiry vanished)", () => {
    for (const t of ["2026-11-20T23:59:60Z", "2026-02-30T10:00:00Z", "2026-11-20T10:00:00", "yesterday"]) {
      test(`expires_at ${t}`, async () => {
        const r = await svc.post("/decide", {
          ...base,
          identity: { ...base.identity, credential: { id: "key-adv", type: "api_key", issued_at: "2026-11-20T10:00:00Z", expires_at: t } },
        });
        assert.equal(r.status, 400, JSON.stringify(r.body));
        assert.equal(r.body.errors[0].field, "identity.credential.expires_at");
      });
    }
  });

  describe("per-request budget: over it is a 413, never an out-of-memory", () => {
    test("512 KiB of e-mail addresses in one /decide is refused with 413 and writes no giant log line", async () => {
      const text = `${"a@example.org ".repeat(36_000)}`.slice(0, 500_000);
      const started = performance.now();
      const r = await svc.post("/decide", { ...base, event: "prompt", session: { id: "s-adv-dense" }, data: { text }, tool: undefined });
      const ms = performance.now() - started;
      assert.equal(r.status, 413, JSON.stringify(r.body).slice(0, 300));
      assert.equal(r.body.code, "payload_too_large");
      assert.equal(r.body.errors[0].field, "data.text");
      assert.ok(ms < 5_000, `answered in ${ms.toFixed(0)} ms`);
      const log = await decisionLog();
      const longest = Math.max(0, ...log.split("\n").map((l) => l.length));
      assert.ok(longest < 1_100_000, `longest log line ${longest} bytes`);
    });

    test("an AuthZEN batch of 256 items sharing one 512 KiB text is a 413 at once (it killed the process)", async () => {
      const text = "b@example.org ".repeat(37_000).slice(0, 512 * 1024);
      const before = process.memoryUsage().rss;
      const r = await svc.post("/access/v1/evaluations", {
        subject: { type: "agent", id: "agent:support-summarizer" },
        action: { name: "read" },
        resource: { type: "dataset", id: "dataset:support-cases" },
        context: { text },
        evaluations: Array.from({ length: 256 }, () => ({})),
      });
      assert.equal(r.status, 413, JSON.stringify(r.body).slice(0, 300));
      assert.equal(r.body.errors[0].field, "evaluations");
      const grown = process.memoryUsage().rss - before;
      assert.ok(grown < 256 * 1024 * 1024, `rss grew ${(grown / 1048576).toFixed(0)} MiB`);
      const health = await svc.get("/health/live");
      assert.equal(health.status, 200);
    });

    test("a batch counts as its items for the PEP rate limit", async () => {
      const { createHash, randomBytes } = await import("node:crypto");
      const { mkdtempSync, writeFileSync } = await import("node:fs");
      const { join } = await import("node:path");
      const { tmpdir } = await import("node:os");
      const token = randomBytes(24).toString("hex");
      const dir = mkdtempSync(join(tmpdir(), "custos-adv-"));
      const file = join(dir, "peps.json");
      writeFileSync(file, JSON.stringify({ peps: [{ name: "gw", token_sha256: createHash("sha256").update(token).digest("hex") }] }));
      const limited = await startApp({ CUSTOS_PEP_TOKENS_FILE: file, CUSTOS_PEP_RATE_LIMIT: "5" });
      try {
        const auth = { authorization: `Bearer ${token}` };
        const batch = {
          subject: { type: "agent", id: "agent:support-summarizer" },
          action: { name: "read" },
          resource: { type: "dataset", id: "dataset:support-cases" },
          evaluations: Array.from({ length: 10 }, () => ({})),
        };
        const first = await limited.post("/access/v1/evaluations", batch, auth);
        assert.equal(first.status, 200, JSON.stringify(first.body).slice(0, 300));
        const second = await limited.post("/access/v1/evaluations", batch, auth);
        assert.equal(second.status, 429, "ten items used the whole burst of ten");
        assert.ok(Number(second.headers.get("retry-after")) >= 1);
      } finally {
        await limited.close();
      }
    });
  });
});
