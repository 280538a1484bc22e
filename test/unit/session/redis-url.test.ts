// REDIS_URL forms (one node, Cluster, Sentinel; credentials, TLS files, wait_replicas) and the rule that no error
// message repeats the password. No I/O.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseRedisUrl, passwordRedactor, redactRedisUrl } from "../../../src/session/redis-url.js";

describe("REDIS_URL", () => {
  test("one node: host, port, db, ACL user or default-user password, percent-decoded", () => {
    assert.deepEqual(parseRedisUrl("redis://127.0.0.1:6380/2"), {
      mode: "standalone",
      node: { host: "127.0.0.1", port: 6380 },
      db: 2,
      username: null,
      password: null,
      tls: null,
      waitReplicas: null,
    });
    const acl = parseRedisUrl("redis://custos:p%40ss%3Aw%2Frd@localhost");
    assert.deepEqual([acl.username, acl.password, acl.mode === "standalone" && acl.node], ["custos", "p@ss:w/rd", { host: "localhost", port: 6379 }]);
    const legacy = parseRedisUrl("redis://:s3cret@[::1]:7000");
    assert.deepEqual([legacy.username, legacy.password, legacy.mode === "standalone" && legacy.node.host], [null, "s3cret", "::1"]);
    assert.equal(parseRedisUrl("redis://user@h").password, null, "an ACL user without a password (nopass)");
  });

  test("cluster: seed list with default ports, TLS files and wait_replicas; no database", () => {
    const t = parseRedisUrl("rediss+cluster://u:p@10.0.0.1:7000,10.0.0.2,10.0.0.3:7002?tls_ca=/etc/ca.pem&wait_replicas=1");
    assert.equal(t.mode, "cluster");
    assert.deepEqual(t.mode === "cluster" && t.nodes, [
      { host: "10.0.0.1", port: 7000 },
      { host: "10.0.0.2", port: 6379 },
      { host: "10.0.0.3", port: 7002 },
    ]);
    assert.deepEqual([t.tls, t.waitReplicas], [{ ca: "/etc/ca.pem", cert: null, key: null }, 1]);
    assert.throws(() => parseRedisUrl("redis+cluster://h:1,h:2/3"), /only database 0/);
    assert.equal(parseRedisUrl("redis+cluster://h:1/").mode, "cluster");
  });

  test("sentinel: sentinels with their default port, master name, optional db", () => {
    const t = parseRedisUrl("redis+sentinel://:pw@s1,s2:5000/my%20master/1");
    assert.deepEqual(t.mode === "sentinel" && [t.sentinels, t.name, t.db, t.password], [
      [
        { host: "s1", port: 26379 },
        { host: "s2", port: 5000 },
      ],
      "my master",
      1,
      "pw",
    ]);
    assert.throws(() => parseRedisUrl("redis+sentinel://s1,s2"), /names its master/);
    assert.equal(parseRedisUrl("rediss+sentinel://s1/m?tls_ca=ca.pem").tls?.ca, "ca.pem");
  });

  test("mistakes are refused with a reason", () => {
    const cases: [string, RegExp][] = [
      ["http://h", /unknown scheme/],
      ["redis://h1,h2", /takes one host/],
      ["redis://h?tls_ca=x", /needs a TLS scheme/],
      ["rediss://h?tls_cert=c", /go together/],
      ["redis://h?timeout=5", /unknown option "timeout"/],
      ["redis://h?wait_replicas=-1", /wait_replicas/],
      ["redis://h:99999", /not host\[:port\]/],
      ["redis://h/x", /database must be a number/],
      ["redis://", /no host/],
      ["redis://h#frag", /fragment/],
    ];
    for (const [url, why] of cases) assert.throws(() => parseRedisUrl(url), why, url);
  });

  test("no message repeats the password, even when the URL is mangled around it", () => {
    const secret = "Tr0ub4dor-3";
    for (const url of [
      `redis://u:${secret}@h:notaport`,
      `redis://u:${secret}/x@h`,
      `redis://u:${secret}?x@h`,
      `redis+cluster://u:${secret}@h1,:bad`,
      `redis+sentinel://u:${secret}@s1`,
      `redis://u:${secret}%zz@h`,
      `redis://u:${secret}@h?tls_ca=x`,
    ]) {
      assert.throws(
        () => parseRedisUrl(url),
        (err: Error) => !err.message.includes(secret) && !err.message.includes("Tr0ub"),
        url,
      );
    }
  });

  test("the redactor hides the password as given and percent-encoded; the URL form hides it too", () => {
    const target = parseRedisUrl("redis://u:a%2Fb%40c@h");
    const redact = passwordRedactor(target);
    assert.equal(redact("AUTH u a/b@c failed; url redis://u:a%2Fb%40c@h"), "AUTH u *** failed; url redis://u:***@h");
    assert.equal(passwordRedactor(parseRedisUrl("redis://h"))("nothing to hide"), "nothing to hide");
    assert.equal(redactRedisUrl("rediss+cluster://u:p@ss@h1:1,h2:2/?tls_ca=x"), "rediss+cluster://u:***@h1:1,h2:2/?tls_ca=x");
    assert.equal(redactRedisUrl("redis://h:1"), "redis://h:1");
  });
});
