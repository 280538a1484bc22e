// docs/openapi.yaml is a valid OpenAPI 3.1 document by a maintained linter (Redocly, recommended rules), and says
// what the server does about authentication: the PEP scheme, the WWW-Authenticate challenge of every 401, and the
// Retry-After of every 429.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startApp, type RunningApp } from "../../helpers/app.js";
import { documentedResponse, lintOpenApi, operations } from "../../helpers/openapi.js";

let svc: RunningApp;
before(async () => {
  svc = await startApp({ CUSTOS_ADMIN_TOKEN: "lint-admin-token", CUSTOS_WATCH_INTERVAL_MS: "0", CUSTOS_AUDIT_LOG: "off" });
});
after(() => svc.close());

test("Redocly's recommended rules report nothing on docs/openapi.yaml", async () => {
  assert.deepEqual(await lintOpenApi(), []);
});

test("every 401 documents WWW-Authenticate as the server sends it, every 429 Retry-After; decision routes name the PEP scheme", async () => {
  const res = await fetch(`${svc.url}/admin/sessions/s-1`);
  assert.equal(res.status, 401);
  const challenge = res.headers.get("www-authenticate");
  const decisionRoutes = ["/decide", "/access/v1/evaluation", "/access/v1/evaluations", "/v1/data/{path}"];
  for (const [method, template, op] of operations()) {
    const what = `${method.toUpperCase()} ${template}`;
    const unauthorized = documentedResponse(method, template, 401);
    if (unauthorized) assert.equal(unauthorized.headers?.["WWW-Authenticate"]?.schema?.const, challenge, what);
    const limited = documentedResponse(method, template, 429);
    if (limited) assert.ok(limited.headers?.["Retry-After"], what);
    if (decisionRoutes.includes(template) || template.startsWith("/access/v1/search/")) {
      assert.ok(unauthorized && limited, `${what} documents 401 and 429`);
      assert.ok((op.security as Record<string, unknown>[]).some((s) => "pep" in s), `${what} names the pep scheme`);
    }
  }
});
