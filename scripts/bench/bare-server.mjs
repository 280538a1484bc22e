// The platform ceiling: a bare node:http server that reads the request body, JSON.parses it and answers a fixed
// decision JSON of the size Custos answers. Whatever Custos does beyond this costs throughput.
//   PORT=8090 node scripts/bench/bare-server.mjs
import { createServer } from "node:http";

const DECISION = Buffer.from(
  JSON.stringify({
    decision: "allow",
    decision_id: "0f9b6c1e-4a55-4a57-9d0e-3f1c2b7a9e10",
    reasons: [
      {
        code: "PII_IN_CONTENT",
        message: "personal data in content (email); redact before use",
        severity: "medium",
        controls: ["OWASP-LLM02", "NIST-CSF-PR.DS-01"],
      },
    ],
    obligations: [{ type: "review" }],
    session: { id: "bench-k00-1234", risk: 5, violations: 0, terminated: false, max_classification: "confidential" },
    policy: { revision: "b6ff95b8a351b889" },
  }),
);

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  if (req.method === "GET") {
    res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
    return;
  }
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    try {
      JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      res.writeHead(400, { "content-type": "application/json" }).end('{"code":"bad_request","message":"not JSON"}');
      return;
    }
    res.writeHead(200, { "content-type": "application/json", "content-length": DECISION.length }).end(DECISION);
  });
});

server.listen(Number(process.env.PORT ?? 8090), process.env.HOST ?? "127.0.0.1");
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)).closeAllConnections());
