// The issuers file is validated once: every problem names its field, HMAC and `none` are refused, JWKS URLs are
// https or loopback http.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CustosError } from "../../../src/errors.js";
import { parseIssuers } from "../../../src/identity/index.js";

const base = { issuer: "https://idp.example", audiences: ["custos"], jwks_uri: "https://idp.example/jwks", algorithms: ["RS256"] };

function problems(value: unknown): { field: string; message: string }[] {
  try {
    parseIssuers(value, "/etc/custos/issuers.json");
  } catch (err) {
    assert.ok(err instanceof CustosError && err.code === "config_invalid");
    assert.match(err.message, /^CUSTOS_ISSUERS_FILE \/etc\/custos\/issuers\.json: /);
    return err.errors ?? [];
  }
  assert.fail("expected the file to be refused");
}

describe("issuers file", () => {
  test("a valid entry is frozen, with the default claim mapping; a relative jwks_file is relative to the file", () => {
    const [a, b] = parseIssuers(
      { issuers: [base, { issuer: "spiffe", audiences: ["x"], jwks_file: "keys/b.json", algorithms: ["ES256", "EdDSA"], claims: { scopes: "scp" } }] },
      "/etc/custos/issuers.json",
    );
    assert.deepEqual(a?.claims, { id: "sub", scopes: "scope", credentialId: "jti" });
    assert.deepEqual(a?.jwks, { uri: "https://idp.example/jwks" });
    assert.deepEqual(b?.jwks, { file: "/etc/custos/keys/b.json" });
    assert.deepEqual(b?.claims, { id: "sub", scopes: "scp", credentialId: "jti" });
    assert.ok(Object.isFrozen(a) && Object.isFrozen(a?.audiences) && Object.isFrozen(b?.claims));
  });

  test("HMAC and none are refused in the allowlist, by name; an unknown algorithm lists the supported ones", () => {
    const found = problems({ issuers: [{ ...base, algorithms: ["RS256", "HS256", "none", "XX1"] }] });
    assert.deepEqual(found.map((p) => p.field), ["issuers[0].algorithms[1]", "issuers[0].algorithms[2]", "issuers[0].algorithms[3]"]);
    assert.match(found[0]?.message ?? "", /HS256 is refused: HMAC/);
    assert.match(found[1]?.message ?? "", /none is refused/);
    assert.match(found[2]?.message ?? "", /must be one of RS256/);
  });

  test("at least one audience and one algorithm; exactly one of jwks_file and jwks_uri", () => {
    assert.deepEqual(problems({ issuers: [{ ...base, audiences: [] }] }).map((p) => p.field), ["issuers[0].audiences"]);
    assert.deepEqual(problems({ issuers: [{ ...base, algorithms: [] }] }).map((p) => p.field), ["issuers[0].algorithms"]);
    const { jwks_uri: _, ...noKeys } = base;
    assert.deepEqual(problems({ issuers: [noKeys] }), [{ field: "issuers[0].jwks_file", message: "exactly one of jwks_file and jwks_uri is required" }]);
    assert.equal(problems({ issuers: [{ ...base, jwks_file: "k.json" }] })[0]?.field, "issuers[0].jwks_file");
    assert.deepEqual(problems({ issuers: [{ ...base, audiences: undefined }] }).map((p) => p.field), ["issuers[0].audiences"]);
  });

  test("jwks_uri: https, or plain http only on loopback; no credentials in the URL", () => {
    for (const uri of ["http://127.0.0.1:8443/jwks", "http://localhost/jwks", "http://[::1]:9/jwks", "https://idp.example/k"]) {
      assert.equal(parseIssuers({ issuers: [{ ...base, jwks_uri: uri }] }, "f").length, 1, uri);
    }
    for (const uri of ["http://idp.example/jwks", "http://10.0.0.1/jwks", "ftp://idp.example/jwks", "not a url", "https://u:p@idp.example/jwks"]) {
      assert.equal(problems({ issuers: [{ ...base, jwks_uri: uri }] })[0]?.field, "issuers[0].jwks_uri", uri);
    }
  });

  test("a repeated issuer, an unknown field, a bad claim name and an empty list are refused naming the field", () => {
    assert.equal(problems({ issuers: [base, base] })[0]?.field, "issuers[1].issuer");
    assert.deepEqual(problems({ issuers: [{ ...base, audience: "custos" }] })[0], { field: "issuers[0].audience", message: "is not a known field" });
    assert.equal(problems({ issuers: [{ ...base, claims: { id: "has space" } }] })[0]?.field, "issuers[0].claims.id");
    assert.equal(problems({ issuers: [] })[0]?.field, "issuers");
    assert.equal(problems([])[0]?.field, "");
  });
});
