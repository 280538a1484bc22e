// A webhook receiver on 127.0.0.1 for the notification tests: it verifies each delivery's signature (Custos's
// `custos-signature: t=<unix>,v1=<hmac>` over `<t>.<body>`), keeps the events, and can be made to fail.
import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";

/** A running receiver. */
export interface WebhookReceiver {
  url: string;
  /** Events received and acknowledged, in order. */
  events: any[];
  /** Bodies whose signature did not verify. */
  bad: string[];
  readonly attempts: number;
  /** Answers the next `times` deliveries with 503. */
  fail(times: number): void;
  of(type: string): any[];
  close(): Promise<void>;
}

/** Starts a receiver checking signatures made with `secret`. */
export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const events: any[] = [];
  const bad: string[] = [];
  let failing = 0;
  let attempts = 0;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      attempts += 1;
      const sig = String(req.headers["custos-signature"] ?? "");
      const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(sig);
      const want = m ? createHmac("sha256", secret).update(`${m[1]}.${body}`).digest("hex") : "";
      if (!m || m[2] !== want) bad.push(body);
      if (failing > 0) {
        failing -= 1;
        res.writeHead(503).end();
        return;
      }
      events.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    events,
    bad,
    get attempts() {
      return attempts;
    },
    fail(times: number) {
      failing = times;
    },
    of: (type: string) => events.filter((e) => e.type === type),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
