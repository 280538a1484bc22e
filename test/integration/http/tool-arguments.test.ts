// Content inspection of tool arguments over real HTTP: every string is inspected however deep it nests, keys that
// contain dots or are named `__proto__` neither hide a value nor confuse redaction, and the decision log keeps the
// arguments redacted.
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { after, before, describe, test } from "node:test";
import { startApp, type RunningApp } from "../../helpers/app.js";

// Synthetic values (split so no scanner flags this file).
const MAIL_DEEP = "maria.kowalska@" + "example.org";
const MAIL_DOTTED_KEY = "jan.novak@" + "example.net";
const MAIL_NESTED = "li.wei@" + "example.com";
const MAIL_PROTO = "ana.silva@" + "example.org";
const AWS = "AKIA" + "Q7RZ4KX2M9WPL3VB";
// Values whose only sign is the key they are stored under.
const PASSWORD = "Tr0ub4dor" + "&3xQ!zz";
const AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYzzKEYq9a3b";
const DB_PASSWORD = "hunter2" + "Hunter2X!";
const TOKEN = "Xk9mQ2pL7v" + "R4tY8wZ3nB6cF1";

/** `value` wrapped in `depth` objects: {"n":{"n":…value…}}. */
function nest(depth: number, value: unknown): unknown {
  let v = value;
  for (let i = 0; i < depth; i++) v = { n: v };
  return v;
}

const base = {
  session: { id: "s-args" },
  event: "tool_call",
  identity: { id: "agent:coding-assistant", type: "agent", on_behalf_of: [{ id: "user:sam", type: "human" }] },
  action: "read",
  resource: { id: "repository:custos-app", type: "repository" },
  purpose: "software_development",
};

/** A request body whose tool arguments carry `extra` raw JSON members beside `path`. */
function body(session: string, extra: string): string {
  const request = { ...base, session: { id: session }, tool: { server: "github", name: "read_file", arguments: { path: "src/app.ts" } } };
  return JSON.stringify(request).replace(`{"path":"src/app.ts"}`, `{"path":"src/app.ts",${extra}}`);
}

describe("tool arguments: inspection and redaction at any depth and under any key", () => {
  let svc: RunningApp;
  before(async () => {
    svc = await startApp();
  });
  after(async () => {
    await svc?.close();
  });

  test("personal data nested 25 levels deep, under a dotted key and under __proto__ is found and redacted in place", async () => {
    const extra = [
      `"deep":${JSON.stringify(nest(25, `write to ${MAIL_DEEP}`))}`,
      `"a.b":${JSON.stringify(`cc ${MAIL_DOTTED_KEY}`)}`,
      `"a":{"b":${JSON.stringify(`bcc ${MAIL_NESTED}`)}}`,
      `"__proto__":${JSON.stringify(`from ${MAIL_PROTO}`)}`,
    ].join(",");
    const r = await svc.post("/decide", body("s-args-pii", extra));
    assert.equal(r.status, 200);
    assert.equal(r.body.decision, "allow", JSON.stringify(r.body.reasons));
    assert.deepEqual(r.body.reasons.map((x: { code: string }) => x.code), ["PII_IN_CONTENT"]);
    const redact = r.body.obligations.find((o: { type: string }) => o.type === "redact");
    assert.ok(redact?.arguments, JSON.stringify(r.body.obligations));
    const args = redact.arguments;
    assert.deepEqual(args.deep, nest(25, "write to [REDACTED:email]"));
    assert.equal(args["a.b"], "cc [REDACTED:email]");
    assert.deepEqual(args.a, { b: "bcc [REDACTED:email]" });
    assert.equal(Object.getOwnPropertyDescriptor(args, "__proto__")?.value, "from [REDACTED:email]");
    assert.equal(args.path, "src/app.ts");

    await svc.app.close();
    const log = readFileSync(svc.auditPath, "utf8");
    for (const value of [MAIL_DEEP, MAIL_DOTTED_KEY, MAIL_NESTED, MAIL_PROTO]) assert.ok(!log.includes(value), "no value in the decision log");
    assert.ok(log.includes("[REDACTED:email]"), "the log keeps the arguments, redacted");
    rmSync(dirname(svc.auditPath), { recursive: true, force: true });
    svc = await startApp();
  });

  test("a secret nested 28 levels deep is found: deny SECRET_IN_CONTENT", async () => {
    const r = await svc.post("/decide", body("s-args-secret", `"deep":${JSON.stringify(nest(28, { key: AWS }))}`));
    assert.equal(r.status, 200);
    assert.equal(r.body.decision, "deny");
    assert.ok(r.body.reasons.some((x: { code: string }) => x.code === "SECRET_IN_CONTENT"), JSON.stringify(r.body.reasons));
  });

  test("a secret known only by its key (a password, an AWS secret in an env map, a list of passwords) is denied and never logged", async () => {
    const extra = [
      `"password":${JSON.stringify(PASSWORD)}`,
      `"env":{"AWS_SECRET_ACCESS_KEY":${JSON.stringify(AWS_SECRET)},"REGION":"eu-west-1"}`,
      `"db_passwords":[${JSON.stringify(DB_PASSWORD)}]`,
      `"password_hint":"the name of my first dog"`,
      `"containers":[{"env":[{"name":"API_TOKEN","value":${JSON.stringify(TOKEN)}},{"name":"LOG_LEVEL","value":"debug"}]}]`,
    ].join(",");
    const r = await svc.post("/decide", body("s-args-named", extra));
    assert.equal(r.status, 200);
    assert.equal(r.body.decision, "deny");
    assert.ok(r.body.reasons.some((x: { code: string }) => x.code === "SECRET_IN_CONTENT"), JSON.stringify(r.body.reasons));
    assert.ok(!JSON.stringify(r.body).includes(PASSWORD), "the answer quotes no value");

    await svc.app.close();
    const log = readFileSync(svc.auditPath, "utf8");
    for (const value of [PASSWORD, AWS_SECRET, DB_PASSWORD, TOKEN]) assert.ok(!log.includes(value), "no value in the decision log");
    const record = log.split("\n").filter((l) => l.includes('"s-args-named"')).map((l) => JSON.parse(l))[0];
    const args = record.input.request.tool.arguments;
    assert.equal(args.password, "[REDACTED:password]");
    assert.equal(args.env.AWS_SECRET_ACCESS_KEY, "[REDACTED:generic-secret]");
    assert.deepEqual(args.db_passwords, ["[REDACTED:password]"]);
    assert.equal(args.env.REGION, "eu-west-1", "an ordinary value under an ordinary key is kept");
    assert.deepEqual(args.containers[0].env, [{ name: "API_TOKEN", value: "[REDACTED:generic-secret]" }, { name: "LOG_LEVEL", value: "debug" }]);
    assert.equal(args.password_hint, "the name of my first dog", "prose under a password-like key is not a password");
    rmSync(dirname(svc.auditPath), { recursive: true, force: true });
    svc = await startApp();
  });
});
