// No content value leaks: every secret and personal value of the labelled inspection corpus, sent through every
// place content enters Custos (/decide data.text and tool arguments, AuthZEN, the OPA Data API, rejected requests),
// is absent from everything an operator can read afterwards: stdout and stderr of the real process at
// LOG_LEVEL=debug, /metrics, the admin session view, the decision log after SIGTERM and, with Redis, every key and
// value of the ledger; and a redact obligation holds placeholders, never values. Positive controls prove that each
// of those sources is really searched.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, test } from "node:test";
import { Redis } from "ioredis";
import { loadCorpus } from "../../../scripts/inspect-quality.js";
import { createInspector } from "../../../src/inspect/index.js";
import { startRedis, type RedisServer } from "../../helpers/redis-server.js";
import { withoutPrincipalRisk } from "../../helpers/app.js";

const ADMIN_TOKEN = "leak-test-admin-token-0123456789";
const CONCURRENCY = 16;

/** One value the corpus hides in a text: what must never be found in a log or a record. */
interface Value {
  item: string;
  type: string;
  value: string;
}

/** A corpus positive, with the values it carries (the spans its labels name). */
interface Positive {
  id: string;
  text: string;
  kinds: Set<string>;
  types: string[];
  values: Value[];
}

/**
 * The corpus positives and their values. The corpus labels each text with the types it contains, not the values;
 * the spans come from the inspector, and the test first checks that those spans are exactly the labelled ones (same
 * types, same count), so a value the inspector missed cannot silently drop out of the search.
 */
function corpusPositives(): Positive[] {
  const inspector = createInspector({ fingerprintKey: "no-secret-leak" });
  return loadCorpus()
    .filter((i) => i.expect.length > 0)
    .map((i) => {
      const findings = inspector.inspect([{ field: "data.text", text: i.text }]);
      assert.deepEqual(findings.map((f) => f.type).sort(), i.expect.map((e) => e.type).sort(), `spans of ${i.id} match its labels`);
      return {
        id: i.id,
        text: i.text,
        kinds: new Set(i.expect.map((e) => e.kind)),
        types: i.expect.map((e) => e.type),
        values: findings.map((f) => ({ item: i.id, type: f.type, value: i.text.slice(f.location.start, f.location.end) })),
      };
    });
}

/**
 * The forms in which a value would show up if it leaked: as is, JSON-escaped (logs and records are JSON), percent-
 * encoded (Redis key names), each long line of a multi-line value and, for long values, a 16-character middle
 * fragment (a truncated or re-wrapped copy is still a leak).
 */
function needlesOf(value: string): string[] {
  const forms = new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]);
  for (const line of value.split(/\r?\n/)) if (line.trim().length >= 16 && !line.startsWith("-----")) forms.add(line.trim());
  if (value.length >= 32 && !value.includes("\n")) forms.add(value.slice(value.length / 2 - 8, value.length / 2 + 8));
  return [...forms];
}

/** A value found somewhere: the source, the corpus item, and the 32 characters before it there (never the value itself). */
interface Hit {
  source: string;
  item: string;
  type: string;
  context: string;
}

/** A readable list of hits, at most 20, naming where each value was found without printing it. */
function describeHits(hits: Hit[]): string {
  const lines = hits.slice(0, 20).map((h) => `${h.source}: ${h.item} (${h.type}) after …${JSON.stringify(h.context)}`);
  return [`${hits.length} corpus value(s) found:`, ...lines, ...(hits.length > 20 ? ["…"] : [])].join("\n");
}

/** Searches `sources` for every needle of every value, in one pass per source (values are at least 9 characters). */
function search(sources: Record<string, string>, values: Value[]): Hit[] {
  const PREFIX = 8;
  const byPrefix = new Map<string, { needle: string; v: Value }[]>();
  for (const v of values) {
    assert.ok(v.value.length >= 9, `${v.item}: value long enough to search for without chance matches`);
    for (const needle of needlesOf(v.value)) {
      const key = needle.slice(0, PREFIX);
      byPrefix.set(key, [...(byPrefix.get(key) ?? []), { needle, v }]);
    }
  }
  const hits: Hit[] = [];
  for (const [source, text] of Object.entries(sources)) {
    const seen = new Set<string>();
    for (let i = 0; i + PREFIX <= text.length; i++) {
      const candidates = byPrefix.get(text.slice(i, i + PREFIX));
      if (!candidates) continue;
      for (const { needle, v } of candidates) {
        if (seen.has(v.item + v.value) || !text.startsWith(needle, i)) continue;
        seen.add(v.item + v.value);
        hits.push({ source, item: v.item, type: v.type, context: text.slice(Math.max(0, i - 32), i) });
      }
    }
  }
  return hits;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The real process (`node dist/src/main.js`) with its output captured, stopped by SIGTERM. */
interface Service {
  url: string;
  dir: string;
  stdout: () => string;
  stderr: () => string;
  stop(): Promise<number | null>;
}

async function startService(env: Record<string, string>): Promise<Service> {
  const dir = mkdtempSync(join(tmpdir(), "custos-leak-"));
  const child: ChildProcess = spawn(process.execPath, ["dist/src/main.js"], {
    env: {
      ...process.env,
      HOST: "127.0.0.1",
      PORT: "0",
      LOG_LEVEL: "debug",
      CUSTOS_AUDIT_LOG: join(dir, "audit.jsonl"),
      CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN,
      CUSTOS_WATCH_INTERVAL_MS: "0",
      // The corpus drives one agent through hundreds of findings; its risk across sessions is not under test here.
      CUSTOS_DATA: withoutPrincipalRisk(),
      REDIS_URL: "",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString("utf8")));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const m = /"url":"([^"]+)"/.exec(line);
      if (m?.[1]) resolve(m[1]);
    });
    void exited.then(() => reject(new Error(`custos exited before listening:\n${out}\n${err}`)));
  });
  return {
    url,
    dir,
    stdout: () => out,
    stderr: () => err,
    async stop() {
      child.kill("SIGTERM");
      const code = await exited;
      process.removeListener("exit", killOnExit);
      return code;
    },
  };
}

/** POSTs `body` as JSON (a string is sent as is, so malformed JSON can be sent too). */
async function post(url: string, body: unknown): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text), text };
}

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { headers });
  return { status: res.status, text: await res.text() };
}

/** Every key of the ledger with its type and value, as text (and the slow log, which keeps command arguments). */
async function dumpRedis(url: string): Promise<string> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const keys: string[] = [];
    let cursor = "0";
    do {
      const [nextCursor, batch] = await redis.scan(cursor, "COUNT", 1000);
      cursor = nextCursor;
      keys.push(...batch);
    } while (cursor !== "0");
    const lines: string[] = [];
    for (const key of keys) {
      const type = await redis.type(key);
      let value: unknown;
      if (type === "string") value = await redis.get(key);
      else if (type === "hash") value = await redis.hgetall(key);
      else if (type === "list") value = await redis.lrange(key, 0, -1);
      else if (type === "zset") value = await redis.zrange(key, 0, -1, "WITHSCORES");
      else if (type === "set") value = await redis.smembers(key);
      else value = `<${type}>`;
      lines.push(`${key} ${type} ${JSON.stringify(value)}`);
    }
    lines.push(`slowlog ${JSON.stringify(await redis.call("SLOWLOG", "GET", "1000"))}`);
    return lines.join("\n");
  } finally {
    redis.disconnect();
  }
}

const agent = { id: "agent:support-summarizer", type: "agent", on_behalf_of: [{ id: "user:dana", type: "human" }] };
/** Requests that pass validation and every non-content rule (each allows a harmless text): content decides. */
const TEMPLATES = {
  prompt: { event: "prompt", identity: agent, action: "invoke", resource: { id: "model:support-llm", type: "model" }, purpose: "customer_support" },
  retrieval: { event: "retrieval", identity: agent, action: "read", resource: { id: "dataset:support-cases", type: "dataset" }, purpose: "customer_support" },
  output: { event: "output", identity: agent, action: "invoke", resource: { id: "model:support-llm", type: "model" }, purpose: "customer_support" },
  tool_call: {
    event: "tool_call",
    identity: agent,
    action: "invoke",
    resource: { id: "tool:crm", type: "tool" },
    purpose: "customer_support",
    data: { classification: "confidential", destination: "internal" },
  },
} as const;

/** The `/decide` request carrying `text` on `channel`: `data.text`, or a string nested inside `tool.arguments`. */
function decideRequest(channel: keyof typeof TEMPLATES, sessionId: string, text: string): Record<string, unknown> {
  const t = TEMPLATES[channel];
  if (channel === "tool_call") {
    return { ...t, session: { id: sessionId }, tool: { server: "crm", name: "search_cases", arguments: { query: "refund", filters: { notes: [text] } } } };
  }
  return { ...t, session: { id: sessionId }, data: { text } };
}

/** The AuthZEN evaluation carrying `text` in `context.data.text` or in the tool resource's `properties.arguments`. */
function authzenRequest(viaArguments: boolean, sessionId: string, text: string): Record<string, unknown> {
  const subject = { type: "agent", id: agent.id, properties: { on_behalf_of: [{ id: "user:dana", type: "user" }] } };
  return viaArguments
    ? {
        subject,
        action: { name: "invoke" },
        resource: { type: "tool", id: "tool:crm", properties: { server: "crm", name: "search_cases", arguments: { query: text } } },
        context: { session: sessionId, purpose: "customer_support", data: { classification: "confidential", destination: "internal" } },
      }
    : {
        subject,
        action: { name: "retrieval", properties: { action: "read" } },
        resource: { type: "dataset", id: "dataset:support-cases" },
        context: { session: sessionId, purpose: "customer_support", data: { text } },
      };
}

/** The strings of a `redact` obligation: its text and every string of its redacted arguments. */
function redactStrings(obligations: { type: string; text?: string; arguments?: unknown }[]): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === "string") out.push(v);
    else if (v && typeof v === "object") for (const x of Object.values(v)) walk(x);
  };
  for (const o of obligations) if (o.type === "redact") walk([o.text, o.arguments]);
  return out;
}

const positives = corpusPositives();
const values = positives.flatMap((p) => p.values);

test("the search finds every corpus value where it does occur (the requests themselves, JSON-encoded)", () => {
  assert.ok(positives.length >= 400 && values.length >= 400, `${positives.length} positives, ${values.length} values`);
  const requests = positives.map((p) => JSON.stringify(decideRequest("prompt", "s", p.text))).join("\n");
  const found = new Set(search({ requests }, values).map((h) => h.item + h.type));
  const missing = values.filter((v) => !found.has(v.item + v.type)).map((v) => v.item);
  assert.deepEqual(missing, [], "values the search cannot find in a JSON document that holds them");
});

/** An AuthZEN evaluations request carries this many items (each its own session), so the batch route is used too. */
const AUTHZEN_BATCH = 16;

for (const mode of ["memory", "redis"] as const) {
  describe(`no corpus value in any log or record (${mode} ledger)`, () => {
    let redis: RedisServer | null = null;
    let svc: Service;
    const run = randomBytes(4).toString("hex");
    // Positive controls: values in fields that are recorded on purpose, searched for exactly like the secrets.
    const canarySession = `leak-canary-session-${run}`;
    const canaryArgument = `leak canary "${run}"\nsecond line of a harmless tool argument`;
    const responses: { label: string; item: Positive; body: any; text: string }[] = [];
    const rejected: string[] = [];
    const dataApi: string[] = [];
    const sessions: string[] = [];
    const decisionIds: string[] = [];
    const sources: Record<string, string> = {};
    let hits: Hit[] = [];
    let exitCode: number | null = null;

    before(async () => {
      if (mode === "redis") redis = await startRedis();
      // One worker: with Redis, CUSTOS_WORKERS=auto would fork one per core (same code, one decision log each).
      svc = await startService(redis ? { REDIS_URL: redis.url, CUSTOS_WORKERS: "1" } : {});

      // In memory, every item goes through /decide as data.text (of a prompt, a retrieval or an output, in turn) and
      // as a tool argument, then through rejected requests, the Data API and AuthZEN (as context.data.text or a tool
      // argument, in turn). With Redis, where only the ledger differs, through one of the four /decide places each.
      const texts = ["prompt", "retrieval", "output"] as const;
      const decides: { label: string; item: Positive; session: string; body: unknown }[] = [];
      positives.forEach((p, n) => {
        const channels: (keyof typeof TEMPLATES)[] = mode === "memory" ? [texts[n % 3]!, "tool_call"] : [n % 4 === 3 ? "tool_call" : texts[n % 3]!];
        for (const channel of channels) {
          const session = `leak-${run}-${channel}-${n}`;
          decides.push({ label: `/decide ${channel}`, item: p, session, body: decideRequest(channel, session, p.text) });
        }
      });
      await pool(decides, CONCURRENCY, async (c) => {
        const r = await post(`${svc.url}/decide`, c.body);
        assert.equal(r.status, 200, `${c.label} ${c.item.id}: ${r.text.slice(0, 300)}`);
        responses.push({ label: c.label, item: c.item, body: r.body, text: r.text });
        sessions.push(c.session);
        decisionIds.push(r.body.decision_id);
      });
      // Rejected requests carry content too, and their errors are logged: malformed JSON cut off just after the
      // text, and well-formed requests that fail validation. A 400 each, whose body must not echo the content.
      if (mode === "memory") {
        await pool(positives, CONCURRENCY, async (p, n) => {
          const valid = decideRequest(n % 2 === 0 ? "prompt" : "tool_call", `leak-${run}-rejected-${n}`, p.text);
          const body = n % 4 < 2 ? JSON.stringify(valid).slice(0, -3) : { ...valid, event: "not-an-event" };
          const r = await post(`${svc.url}/decide`, body);
          assert.equal(r.status, 400, r.text.slice(0, 300));
          rejected.push(r.text);
        });
        // The OPA Data API: the raw policy input (not inspected, no ledger) with the text and a tool argument. Each
        // evaluation is recorded, so the record must hold neither.
        await pool(positives, CONCURRENCY, async (p, n) => {
          const request = { ...decideRequest("tool_call", `leak-${run}-data-api-${n}`, p.text), data: { text: p.text } };
          const r = await post(`${svc.url}/v1/data/custos/main/decision`, { input: { request, now: Math.floor(Date.now() / 1000), facts: {}, state: {} } });
          assert.equal(r.status, 200, r.text.slice(0, 300));
          dataApi.push(r.text);
        });
      }
      const batches: Positive[][] = [];
      if (mode === "memory") for (let i = 0; i < positives.length; i += AUTHZEN_BATCH) batches.push(positives.slice(i, i + AUTHZEN_BATCH));
      await pool(batches, CONCURRENCY, async (batch, b) => {
        const items = batch.map((p, k) => {
          const n = b * AUTHZEN_BATCH + k;
          const session = `leak-${run}-authzen-${n}`;
          sessions.push(session);
          return { item: p, viaArguments: n % 2 === 1, body: authzenRequest(n % 2 === 1, session, p.text) };
        });
        const r = await post(`${svc.url}/access/v1/evaluations`, { evaluations: items.map((i) => i.body) });
        assert.equal(r.status, 200, r.text.slice(0, 300));
        assert.equal(r.body.evaluations.length, items.length, r.text.slice(0, 300));
        items.forEach((i, k) => {
          const answer = r.body.evaluations[k];
          responses.push({
            label: `AuthZEN ${i.viaArguments ? "tool arguments" : "context.data.text"}`,
            item: i.item,
            body: answer,
            text: JSON.stringify(answer),
          });
          if (answer.context?.decision_id) decisionIds.push(answer.context.decision_id);
        });
      });

      // Controls: a recorded session id and a recorded (uninspected, harmless) multi-line tool argument.
      const control = {
        ...TEMPLATES.tool_call,
        session: { id: canarySession },
        tool: { server: "crm", name: "search_cases", arguments: { query: canaryArgument } },
      };
      const c = await post(`${svc.url}/decide`, control);
      assert.equal(c.body.decision, "allow", c.text);
      sessions.push(canarySession);

      const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
      const views = await pool(sessions, CONCURRENCY, async (id) => {
        const r = await get(`${svc.url}/admin/sessions/${encodeURIComponent(id)}`, auth);
        assert.equal(r.status, 200, r.text);
        return r.text;
      });
      sources["admin session view"] = views.join("\n");
      const metrics = await get(`${svc.url}/metrics`);
      assert.equal(metrics.status, 200);
      sources["/metrics"] = metrics.text;
      if (redis) sources["redis ledger"] = await dumpRedis(redis.url);

      exitCode = await svc.stop();
      sources.stdout = svc.stdout();
      sources.stderr = svc.stderr();
      const logs = readdirSync(svc.dir).filter((f) => f.endsWith(".jsonl"));
      assert.equal(logs.length, 1, `decision logs: ${logs.join(", ")}`);
      sources["decision log"] = logs.map((f) => readFileSync(join(svc.dir, f), "utf8")).join("");

      const controls = [canarySession, canaryArgument, decisionIds[0]!, decisionIds[decisionIds.length - 1]!];
      hits = search(sources, [...values, ...controls.map((value, i) => ({ item: `control-${i}`, type: "control", value }))]);
    });

    after(async () => {
      if (svc) rmSync(svc.dir, { recursive: true, force: true });
      await redis?.stop();
    });

    test("every request reached the policy: each secret denied SECRET_IN_CONTENT, each PII redacted or reported", () => {
      assert.equal(exitCode, 0, "SIGTERM stops the service cleanly");
      assert.equal(responses.length, positives.length * (mode === "memory" ? 3 : 1));
      for (const r of responses) {
        const authzen = r.label.startsWith("AuthZEN");
        const reasons: { code: string }[] = (authzen ? r.body.context?.reasons : r.body.reasons) ?? [];
        const obligations: { type: string }[] = (authzen ? r.body.context?.obligations : r.body.obligations) ?? [];
        const codes = reasons.map((x) => x.code);
        const where = `${r.label} ${r.item.id}`;
        if (r.item.kinds.has("secret")) assert.ok(codes.includes("SECRET_IN_CONTENT"), `${where}: ${r.text.slice(0, 300)}`);
        if (r.item.kinds.has("pii")) {
          assert.ok(codes.includes("PII_IN_CONTENT") || obligations.some((o) => o.type === "redact"), `${where}: ${r.text.slice(0, 300)}`);
        }
      }
    });

    test("the redact obligation holds the placeholders, never the values (nor does any other part of a response)", () => {
      let redactions = 0;
      for (const r of responses) {
        const obligations = (r.label.startsWith("AuthZEN") ? r.body.context?.obligations : r.body.obligations) ?? [];
        const strings = redactStrings(obligations);
        if (strings.length === 0) continue;
        redactions++;
        const redacted = strings.join("\n");
        for (const type of new Set(r.item.types)) assert.ok(redacted.includes(`[REDACTED:${type}]`), `${r.label} ${r.item.id}: ${type} placeholder in ${redacted}`);
      }
      const piiOnly = positives.filter((p) => p.kinds.has("pii") && !p.kinds.has("secret")).length;
      assert.ok(redactions >= piiOnly, `${redactions} redactions for ${piiOnly} items with personal data only`);
      const leaked = search({ responses: responses.map((r) => r.text).join("\n"), "400 responses": rejected.join("\n"), "Data API responses": dataApi.join("\n") }, values);
      assert.equal(leaked.length, 0, describeHits(leaked));
    });

    test("positive controls: each source is captured and searched (recorded ids and a recorded argument are found)", () => {
      const found = (source: string, control: number) =>
        assert.ok(hits.some((h) => h.source === source && h.item === `control-${control}`), `control ${control} found in ${source}`);
      found("decision log", 0); // the canary session id
      found("decision log", 1); // the canary argument: only its JSON-escaped form is there, so escaping is searched too
      found("admin session view", 0);
      found("stdout", 2); // the debug decision lines of the first and the last decision
      found("stdout", 3);
      if (mode === "redis") found("redis ledger", 0);
      const decisionLines = sources.stdout!.split("\n").filter((l) => l.includes('"event":"decision"')).length;
      const decisions = responses.length + dataApi.length + 1;
      assert.equal(decisionLines, decisions, "one debug line per decision: LOG_LEVEL=debug output is captured");
      const errorLines = sources.stdout!.split("\n").filter((l) => l.includes('"event":"http_error"')).length;
      assert.equal(errorLines, rejected.length, "one log line per rejected request");
      const records = sources["decision log"]!.split("\n").filter((l) => l.includes('"type":"decision"')).length;
      assert.equal(records, decisions, "every decision is in the decision log after SIGTERM");
      // One scrape reaches one worker: with two, it counts only that worker's share of the decisions.
      const counted = [...sources["/metrics"]!.matchAll(/^custos_decisions_total\{[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
      if (mode === "memory") assert.equal(counted, decisions, "/metrics counts every decision");
      else assert.ok(counted > 0 && counted <= decisions, `/metrics counts ${counted} decisions`);
    });

    test(`none of the corpus values is in stdout, stderr, /metrics, the admin view, the decision log${mode === "redis" ? " or Redis" : ""}`, () => {
      const leaked = hits.filter((h) => h.type !== "control");
      assert.equal(leaked.length, 0, describeHits(leaked));
      const searched = Object.entries(sources).map(([k, v]) => `${k} ${v.length} B`).join(", ");
      console.log(`# ${mode}: ${values.length} values of ${positives.length} items, ${responses.length} decisions, ${dataApi.length} Data API evaluations, ${rejected.length} rejected requests; searched ${searched}`);
    });
  });
}
