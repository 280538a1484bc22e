// Claims become identity facts: scopes in either form, the RFC 8693 `act` chain outermost first, and the list of
// asserted facts that contradict a verified token.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { contradictions, identityFromClaims, type VerifiedIdentity } from "../../../src/identity/index.js";

const mapping = { id: "sub", scopes: "scope", credentialId: "jti" };
const claims = (extra: Record<string, unknown>) => ({ sub: "agent:a", exp: 2000, iat: 1000, jti: "c-1", ...extra });
const map = (extra: Record<string, unknown>) => identityFromClaims(claims(extra), mapping, "https://idp", "d".repeat(64));

describe("claim mapping", () => {
  test("a direct token: id, scopes (space-separated or array), credential and times", () => {
    const a = map({ scope: "kb:read  tickets:write" }) as VerifiedIdentity;
    assert.deepEqual(
      { ...a },
      { id: "agent:a", scopes: ["kb:read", "tickets:write"], credential_id: "c-1", issued_at: 1000, expires_at: 2000, issuer: "https://idp", chain: [], token_digest: "d".repeat(64) },
    );
    assert.deepEqual((map({ scope: ["a", "b", "a"] }) as VerifiedIdentity).scopes, ["a", "b"]);
    assert.deepEqual((map({ jti: undefined, iat: undefined }) as VerifiedIdentity).credential_id, null);
    const custom = identityFromClaims({ client_id: "svc:x", scp: ["r"], exp: 9, uti: "u" }, { id: "client_id", scopes: "scp", credentialId: "uti" }, "i", "x");
    assert.deepEqual([(custom as VerifiedIdentity).id, (custom as VerifiedIdentity).scopes, (custom as VerifiedIdentity).credential_id], ["svc:x", ["r"], "u"]);
  });

  test("RFC 8693 act: the current actor (outermost act) acts; the chain is the subject, then prior actors least recent first", () => {
    // The RFC's example: user@example.com is the subject, service16 the current actor, service77 an earlier actor.
    const v = map({
      sub: "user@example.com",
      act: { sub: "https://service16.example.com", act: { sub: "https://service77.example.com", iss: "https://other" } },
    }) as VerifiedIdentity;
    assert.equal(v.id, "https://service16.example.com");
    assert.deepEqual(v.chain, [{ id: "user@example.com" }, { id: "https://service77.example.com", issuer: "https://other" }]);
    const one = map({ sub: "user:dana", act: { sub: "agent:summarizer" } }) as VerifiedIdentity;
    assert.deepEqual([one.id, one.chain], ["agent:summarizer", [{ id: "user:dana" }]]);
  });

  test("wrong claim types are problems naming the claim, never its value", () => {
    let deep: Record<string, unknown> = { sub: "last" };
    for (let i = 0; i < 16; i++) deep = { sub: `a${i}`, act: deep };
    for (const [extra, pattern] of [
      [{ sub: "" }, /claim sub/],
      [{ sub: 42 }, /claim sub/],
      [{ scope: 7 }, /claim scope/],
      [{ scope: ["ok", 3] }, /claim scope/],
      [{ jti: 5 }, /claim jti/],
      [{ exp: undefined }, /exp is required/],
      [{ iat: 3000 }, /expires before/],
      [{ act: "agent:x" }, /act must be an object/],
      [{ act: { iss: "x" } }, /act needs a sub/],
      [{ act: deep }, /deeper than 16/],
    ] as const) {
      const out = map(extra);
      assert.equal(typeof out, "string", JSON.stringify(extra).slice(0, 60));
      assert.match(out as string, pattern);
    }
  });
});

describe("contradictions", () => {
  const verified = map({ sub: "user:dana", act: { sub: "agent:b", act: { sub: "agent:a" } }, scope: "kb:read kb:write" }) as VerifiedIdentity;

  test("nothing asserted, or the same facts, or narrower scopes: no contradiction", () => {
    assert.deepEqual(contradictions({}, verified), []);
    assert.deepEqual(
      contradictions(
        {
          id: "agent:b",
          scopes: ["kb:read"],
          credential: { id: "c-1", issued_at: new Date(1000_000).toISOString(), expires_at: "1970-01-01T00:33:20.400Z" },
          on_behalf_of: [{ id: "user:dana" }, { id: "agent:a" }],
        },
        verified,
      ),
      [],
    );
  });

  test("each contradicting field is named, and no message quotes a value", () => {
    const found = contradictions(
      {
        id: "agent:root",
        scopes: ["kb:read", "admin:all"],
        credential: { id: "c-2", issued_at: "1970-01-01T00:00:01Z", expires_at: "garbage" },
        on_behalf_of: [{ id: "agent:a" }, { id: "user:dana" }],
      },
      verified,
    );
    assert.deepEqual(found.map((c) => c.field), [
      "identity.id",
      "identity.scopes",
      "identity.credential.id",
      "identity.credential.issued_at",
      "identity.credential.expires_at",
      "identity.on_behalf_of",
    ]);
    assert.ok(!JSON.stringify(found).match(/agent:root|admin:all|c-2|user:dana/));
    assert.deepEqual(contradictions({ on_behalf_of: [] }, verified).map((c) => c.field), ["identity.on_behalf_of"]);
    assert.deepEqual(contradictions({ on_behalf_of: [{ id: "user:dana" }] }, verified).map((c) => c.field), ["identity.on_behalf_of"]);
  });
});
