// ReDoS through the real service: prompts built to make a backtracking regex explode (the PGP armor attack that once
// froze the event loop for 81 s, and the worst repetitions of rule pieces) are answered quickly by POST /decide,
// and /health/live keeps answering while they are processed.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startApp, type RunningApp } from "../../helpers/app.js";

const KiB64 = 64 * 1024;
const fill = (unit: string): string => unit.repeat(Math.ceil(KiB64 / unit.length)).slice(0, KiB64);

const ATTACKS: Record<string, string> = {
  "PGP armor headers (the 430-byte prompt)": `-----BEGIN PGP PRIVATE KEY BLOCK-----\n${"A:  ".repeat(98)}\x00`,
  "PGP armor headers, 64 KiB": `-----BEGIN PGP PRIVATE KEY BLOCK-----\n${fill("A:  ")}\x00`,
  "PGP armor header lines, 64 KiB": `-----BEGIN PGP PRIVATE KEY BLOCK-----\n${fill("A:  \n")}!`,
  "private-key header then whitespace": `-----BEGIN RSA PRIVATE KEY-----\n${fill("Proc-Type: 4,ENCRYPTED\n \\n")}`,
  "name-anchored rule names": fill("paypal"),
  "e-mail labels": `${fill("a.")}@`,
  "database URL hosts": fill("postgres://u:p@a.a."),
  "phone groups": fill("+1 (2) 3 "),
};

describe("ReDoS through POST /decide", () => {
  let svc: RunningApp;
  before(async () => {
    svc = await startApp();
  });
  after(() => svc.close());

  for (const [name, text] of Object.entries(ATTACKS)) {
    test(`${name}: answered within 250 ms, /health/live answering meanwhile`, async () => {
      const request = { session: { id: "s-redos" }, event: "prompt", identity: { id: "user:dana", type: "human" }, purpose: "customer_support", data: { text } };
      // Warm once (JIT, first-request setup), then measure.
      await svc.post("/decide", request);
      const started = performance.now();
      const decision = svc.post("/decide", request);
      const live = svc.get("/health/live");
      const [r, h] = await Promise.all([decision, live]);
      const ms = performance.now() - started;
      assert.ok(r.status === 200 || r.status === 413, `status ${r.status}`);
      assert.equal(h.status, 200);
      assert.ok(ms < 250, `${ms.toFixed(0)} ms`);
    });
  }
});

// Tool arguments read by their names: the value checks run only on values under a credential's name, so an attacker
// puts the hostile value there. `{"password": "aa" + 36 capitals + "!"}` held the whole service for 2 s (60 capitals:
// 16 s) when the camel-case check had `[A-Z]+` inside a repetition; every check now goes through the linear-time gate.
const NAMED_ATTACKS: Record<string, Record<string, string>> = {
  "camel case: one capital run": { password: `aa${"A".repeat(8000)}!` },
  "camel case: humps": { api_key: `${"aA".repeat(4000)}!` },
  "sample words in word characters": { token: `${"example".repeat(1150)}!` },
  "dotted identifier": { secret: `${"a.".repeat(4000)}!` },
  "file name": { client_secret: `${"a/".repeat(4000)}.` },
  "auth scheme and spaces": { authorization: `Bearer${" ".repeat(4000)}${"x ".repeat(2000)}` },
  "cookie pairs": { cookie: `${"a=1; ".repeat(1600)}` },
  "Name: value line": { body: `Password:${" ".repeat(60)}${"A".repeat(8000)} x` },
};

describe("ReDoS through tool-argument names", () => {
  let svc: RunningApp;
  before(async () => {
    svc = await startApp();
  });
  after(() => svc.close());

  for (const [name, args] of Object.entries(NAMED_ATTACKS)) {
    test(`${name}: answered within 250 ms, /health/live answering meanwhile`, async () => {
      const request = {
        session: { id: "s-redos-named" }, event: "tool_call", identity: { id: "agent:coding-assistant", type: "agent", on_behalf_of: [{ id: "user:sam", type: "human" }] },
        action: "read", resource: { id: "repository:custos-app", type: "repository" }, purpose: "software_development",
        tool: { server: "github", name: "read_file", arguments: { path: "src/app.ts", ...args } },
      };
      await svc.post("/decide", request);
      const started = performance.now();
      const [r, h] = await Promise.all([svc.post("/decide", request), svc.get("/health/live")]);
      const ms = performance.now() - started;
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(h.status, 200);
      assert.ok(ms < 250, `${ms.toFixed(0)} ms`);
    });
  }
});
