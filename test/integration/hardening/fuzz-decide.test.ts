// Property-based tests over the decision request: whatever arrives, /decide answers a 2xx or 4xx with a well-formed
// body, never a 5xx or a hang, and the process is unchanged (no prototype pollution, still serving).
import assert from "node:assert/strict";
import fc from "fast-check";
import { after, before, describe, test } from "node:test";
import { startApp, type RunningApp } from "../../helpers/app.js";

const valid = {
  session: { id: "s-fuzz" },
  event: "tool_call",
  identity: { id: "agent:coding-assistant", type: "agent", scopes: ["repo:read"], on_behalf_of: [{ id: "user:sam", type: "human" }] },
  action: "read",
  resource: { id: "repository:custos-app", type: "repository" },
  tool: { server: "github", name: "read_file", arguments: { path: "src/app.ts" } },
  data: { classification: "internal", labels: [], text: "hello", destination: "internal" },
  purpose: "software_development",
  context: { mtls: false, device: { managed: true, compliant: true }, network: "vpn", time: "2026-11-20T10:05:00Z" },
};

const hostileKeys = fc.constantFrom("__proto__", "constructor", "prototype", "toString", "valueOf", "hasOwnProperty");
const anyJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    fc.string({ maxLength: 40 }),
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 12 }), hostileKeys), tie("value"), { maxKeys: 5 }),
  ),
})).value;

/** A valid request with one field (at any depth) replaced by an arbitrary value, or removed. */
const mutated = fc
  .tuple(fc.constantFrom(...paths(valid)), fc.option(anyJson, { nil: undefined }))
  .map(([path, value]) => {
    const copy = structuredClone(valid) as Record<string, any>;
    let node = copy;
    for (const k of path.slice(0, -1)) node = node[k];
    const last = path[path.length - 1] as string;
    if (value === undefined) delete node[last];
    else node[last] = value;
    return copy;
  });

function paths(v: unknown, prefix: string[] = []): string[][] {
  if (!v || typeof v !== "object") return [prefix];
  return [prefix, ...Object.entries(v).flatMap(([k, x]) => paths(x, [...prefix, k]))].filter((p) => p.length > 0);
}

function wellFormed(status: number, body: any): void {
  assert.ok(status >= 200 && status < 500, `status ${status}: ${JSON.stringify(body)}`);
  assert.ok(body && typeof body === "object");
  if (status === 200) {
    assert.match(body.decision, /^(allow|deny|escalate)$/);
    assert.ok(Array.isArray(body.reasons) && Array.isArray(body.obligations) && body.session && body.policy);
    if (body.decision === "deny") assert.ok(body.reasons.length > 0);
  } else {
    assert.match(body.code, /^[a-z_]+$/);
    assert.equal(typeof body.message, "string");
    if (body.code === "invalid_request") assert.ok(Array.isArray(body.errors) && body.errors.length > 0);
  }
}

describe("fuzzing /decide", () => {
  let svc: RunningApp;
  before(async () => {
    svc = await startApp();
  });
  after(() => svc.close());

  test("mutated requests: 2xx or 4xx with a well-formed body, never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(mutated, async (body) => {
        const r = await svc.post("/decide", body);
        wellFormed(r.status, r.body);
      }),
      { numRuns: 300, seed: 20261122 },
    );
  });

  test("arbitrary JSON and arbitrary text bodies never make a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyJson.map((v) => JSON.stringify(v) ?? "null"), fc.string({ maxLength: 200 })), async (text) => {
        const r = await svc.post("/decide", text);
        wellFormed(r.status, r.body);
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  test("afterwards the process is unchanged: no prototype pollution, still deciding", async () => {
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(Object.keys(Object.prototype), []);
    // A fresh session: the fuzzed violations above terminated s-fuzz by risk, as they should.
    const r = await svc.post("/decide", { ...valid, session: { id: "s-fuzz-after" } });
    assert.equal(r.status, 200);
    assert.equal(r.body.decision, "allow", JSON.stringify(r.body.reasons));
  });
});
