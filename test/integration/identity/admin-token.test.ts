// `npm run admin:token` makes an entry the operators file accepts, and a token that authenticates as that operator.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { can, createOperatorAuthenticator, parseOperators } from "../../../src/identity/index.js";

const run = (...args: string[]) => spawnSync(process.execPath, ["scripts/admin-token.mjs", ...args], { encoding: "utf8" });

test("admin:token prints a token and an entry that works; bad arguments are refused", () => {
  const out = run("soc:alice", "--roles", "approver,auditor", "--groups", "soc-emea");
  assert.equal(out.status, 0, out.stderr);
  const token = /token \(give to the operator, store nowhere else\): (\S+)/.exec(out.stdout)?.[1] ?? "";
  const entry = JSON.parse(/operators\[\]: (\{.*\})/.exec(out.stdout)?.[1] ?? "{}");
  assert.ok(!JSON.stringify(entry).includes(token));
  const who = createOperatorAuthenticator({ operators: parseOperators({ operators: [entry] }, "ops.json") })(token);
  assert.deepEqual(who, { id: "soc:alice", roles: ["approver", "auditor"], groups: ["soc-emea"] });
  const plain = JSON.parse(/operators\[\]: (\{.*\})/.exec(run("ops:bob").stdout)?.[1] ?? "{}");
  assert.deepEqual(plain.roles, ["auditor"], "least privilege by default");
  assert.ok(can({ id: "x", roles: plain.roles, groups: [] }, "auditor"));
  for (const bad of [[], ["admin"], ["x", "--roles", "god"], ["x", "--groups", "a b"], ["x", "--what", "y"], ["x", "--roles"]]) {
    assert.equal(run(...bad).status, 2, bad.join(" "));
  }
});
