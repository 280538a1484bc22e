// Operators: named, with roles and groups, found by a bearer token compared as a digest in constant time; the
// break-glass token is operator `admin` with every role.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { CustosError } from "../../../src/errors.js";
import { ROLES, bearerToken, can, createOperatorAuthenticator, parseOperators } from "../../../src/identity/index.js";

const sha = (t: string) => createHash("sha256").update(t).digest("hex");
const alice = { id: "soc:alice", token_sha256: sha("tok-alice"), roles: ["approver", "auditor"], groups: ["soc-emea"] };
const bob = { id: "ops:bob", token_sha256: sha("tok-bob"), roles: ["policy_operator"] };

function problems(value: unknown, options = {}): { field: string; message: string }[] {
  try {
    parseOperators(value, "ops.json", options);
  } catch (err) {
    assert.ok(err instanceof CustosError && err.code === "config_invalid");
    assert.match(err.message, /^CUSTOS_ADMIN_TOKENS_FILE ops\.json: /);
    return err.errors ?? [];
  }
  assert.fail("expected the file to be refused");
}

describe("operators file", () => {
  test("roles and groups: authenticate finds the operator; can() answers per role", () => {
    const auth = createOperatorAuthenticator({ operators: parseOperators({ operators: [alice, bob] }, "ops.json") });
    const a = auth("tok-alice");
    assert.deepEqual(a, { id: "soc:alice", roles: ["approver", "auditor"], groups: ["soc-emea"] });
    assert.ok(can(a, "approver") && can(a, "auditor") && !can(a, "responder") && !can(a, "policy_operator"));
    assert.deepEqual(auth("tok-bob"), { id: "ops:bob", roles: ["policy_operator"], groups: [] });
    for (const wrong of ["tok-alic", "tok-alice ", "", sha("tok-alice"), "x".repeat(5000)]) assert.equal(auth(wrong), null);
    assert.equal(auth(null), null);
    assert.equal(can(null, "auditor"), false);
    assert.ok(Object.isFrozen(a) && Object.isFrozen(a?.roles));
  });

  test("break-glass CUSTOS_ADMIN_TOKEN is operator admin with every role, beside the file or alone", () => {
    const both = createOperatorAuthenticator({ operators: parseOperators({ operators: [alice] }, "ops.json"), breakGlassToken: "glass" });
    assert.deepEqual(both("glass"), { id: "admin", roles: [...ROLES], groups: [] });
    assert.equal(both("tok-alice")?.id, "soc:alice");
    const alone = createOperatorAuthenticator({ breakGlassToken: "glass" });
    assert.ok(ROLES.every((r) => can(alone("glass"), r)));
    assert.equal(createOperatorAuthenticator({})("glass"), null);
  });

  test("refused naming the field: unknown role, bad digest, repeats, reserved id, a token shared with admin or a PEP", () => {
    assert.deepEqual(problems({ operators: [{ ...alice, roles: ["approver", "god"] }] }).map((p) => p.field), ["operators[0].roles[1]"]);
    assert.deepEqual(problems({ operators: [{ ...alice, roles: [] }] }).map((p) => p.field), ["operators[0].roles"]);
    assert.deepEqual(problems({ operators: [{ ...alice, token_sha256: "ABC" }] }).map((p) => p.field), ["operators[0].token_sha256"]);
    assert.deepEqual(problems({ operators: [alice, { ...bob, id: "soc:alice" }] }).map((p) => p.field), ["operators[1].id"]);
    assert.deepEqual(problems({ operators: [alice, { ...bob, token_sha256: alice.token_sha256 }] }).map((p) => p.field), ["operators[1].token_sha256"]);
    assert.match(problems({ operators: [{ ...alice, id: "admin" }] })[0]?.message ?? "", /reserved/);
    assert.match(problems({ operators: [alice] }, { breakGlassToken: "tok-alice" })[0]?.message ?? "", /CUSTOS_ADMIN_TOKEN/);
    assert.match(problems({ operators: [alice] }, { pepTokenDigests: [sha("tok-alice")] })[0]?.message ?? "", /PEP token/);
    assert.deepEqual(problems({ operators: [{ ...alice, groups: ["bad group"] }] }).map((p) => p.field), ["operators[0].groups[0]"]);
    assert.deepEqual(problems({ operators: [{ ...alice, token: "tok-alice" }] }).map((p) => p.field), ["operators[0].token"]);
    assert.deepEqual(problems({ operators: [] }).map((p) => p.field), ["operators"]);
  });

  test("bearerToken reads an Authorization header", () => {
    assert.equal(bearerToken("Bearer abc"), "abc");
    assert.equal(bearerToken("bearer  abc "), "abc");
    assert.equal(bearerToken("Basic abc"), null);
    assert.equal(bearerToken(undefined), null);
  });
});
