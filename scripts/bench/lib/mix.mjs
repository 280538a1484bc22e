// The request mix: realistic /decide requests taken from the decision fixtures (test/fixtures/decisions.json), a
// third of them carrying 2-16 KiB of prose in data.text, with a session-id placeholder the load script fills in.
import { existsSync, readFileSync } from "node:fs";

/** The placeholder the wrk script replaces by a session number (see mix.lua). */
export const SID = "__BENCH_SID__";

/** Replaces `{{now}}`, `{{now-600}}`, `{{now+60}}` (seconds) by RFC 3339 times relative to `nowMs`. */
export function fillTimes(value, nowMs) {
  return JSON.parse(
    JSON.stringify(value).replace(/\{\{now([+-]\d+)?\}\}/g, (_, delta) =>
      new Date(nowMs + Number(delta ?? 0) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"),
    ),
  );
}

const WORDS = (
  "the customer asked about an invoice that arrived late and the team reviewed the account history before replying " +
  "with a summary of the open items a short explanation of the delay and the steps planned for the next billing cycle " +
  "our assistant drafted a response that keeps the tone friendly explains the policy in plain language and points to " +
  "the help center article where the process is described in more detail please confirm whether the proposed schedule " +
  "works for your finance department and let us know if anything in the report looks unclear we can also arrange a " +
  "call with the account manager who handled the migration last quarter and prepared the onboarding notes"
).split(" ");

/** Deterministic English-like prose of about `bytes` bytes: no digits, no '@', nothing a PII or secret rule matches. */
export function prose(bytes, seed = 1) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  const out = [];
  let size = 0;
  while (size < bytes) {
    const n = 8 + (next() % 14);
    const words = [];
    for (let i = 0; i < n; i++) words.push(WORDS[next() % WORDS.length]);
    const s = words.join(" ");
    const sentence = `${s[0].toUpperCase()}${s.slice(1)}.`;
    out.push(sentence);
    size += sentence.length + 1;
  }
  return out.join(" ").slice(0, bytes);
}

/** Picks up to `count` fixtures spread over (event, expected decision), first of each group, round robin. */
function spread(fixtures, count) {
  const groups = new Map();
  for (const f of fixtures) {
    const key = `${f.request.event}/${f.expect?.decision ?? "?"}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(f);
  }
  const picked = [];
  for (let round = 0; picked.length < count; round++) {
    let any = false;
    for (const list of groups.values()) {
      if (list[round] && picked.length < count) {
        picked.push(list[round]);
        any = true;
      }
    }
    if (!any) break;
  }
  return picked;
}

const TEXT_SIZES = [2048, 4096, 8192, 16384];
const TEXT_EVENTS = ["prompt", "retrieval", "output", "tool_call", "model_access"];

/**
 * Builds the mix.
 * @param {{root: string, kinds?: number, nowMs?: number}} options
 * @returns {{source: string, kinds: {name: string, event: string, expect: object|null, textBytes: number, template: object}[]}}
 *   `template` is a /decide request whose session.id contains SID.
 */
export function buildMix({ root, kinds = 12, nowMs = Date.now() }) {
  const file = `${root}/test/fixtures/decisions.json`;
  let fixtures;
  let source;
  if (existsSync(file)) {
    fixtures = JSON.parse(readFileSync(file, "utf8"));
    source = "test/fixtures/decisions.json";
  } else {
    fixtures = FALLBACK;
    source = "built-in mix (test/fixtures/decisions.json not found)";
  }
  fixtures = fixtures.filter((f) => f && f.request && typeof f.request === "object" && !f.setup);
  const picked = spread(fixtures, kinds).map((f) => ({ ...f, request: fillTimes(f.request, nowMs) }));
  // A third carry prose: prefer events where content is natural (prompts, retrievals, outputs).
  const order = [...picked.keys()].sort(
    (a, b) => TEXT_EVENTS.indexOf(picked[a].request.event) - TEXT_EVENTS.indexOf(picked[b].request.event) || a - b,
  );
  const withText = new Set(order.slice(0, Math.max(1, Math.round(picked.length / 3))));
  let t = 0;
  const out = picked.map((f, i) => {
    const request = structuredClone(f.request);
    request.session = { ...(request.session ?? {}), id: `bench-k${String(i).padStart(2, "0")}-${SID}` };
    let textBytes = 0;
    if (withText.has(i)) {
      const size = TEXT_SIZES[t++ % TEXT_SIZES.length];
      const existing = typeof request.data?.text === "string" ? `${request.data.text} ` : "";
      request.data = { ...(request.data ?? {}), text: existing + prose(size - existing.length, i + 1) };
      textBytes = Buffer.byteLength(request.data.text);
    }
    return { name: f.name ?? `kind ${i}`, event: request.event, expect: f.expect ?? null, textBytes, template: request };
  });
  return { source, kinds: out };
}

/** A request body for one session number. */
export function bodyFor(kind, sid) {
  return JSON.stringify(kind.template).replace(SID, String(sid));
}

// Used only when the fixtures file is absent (e.g. an older checkout): registry ids from rego/governance/data.json.
const FALLBACK = [
  {
    name: "support assistant retrieves cases for its user",
    request: {
      event: "retrieval", session: { id: "s" },
      identity: { id: "agent:support-summarizer", type: "agent", on_behalf_of: [{ id: "user:dana", type: "human" }] },
      action: "read", resource: { id: "dataset:support-cases", type: "dataset" }, purpose: "customer_support",
    },
    expect: { decision: "allow" },
  },
  {
    name: "support assistant prompts the support model",
    request: {
      event: "prompt", session: { id: "s" }, identity: { id: "agent:support-summarizer", type: "agent" },
      action: "invoke", resource: { id: "model:support-llm", type: "model" }, purpose: "customer_support",
    },
    expect: { decision: "allow" },
  },
  {
    name: "coding agent reads src/app.ts",
    request: {
      event: "tool_call", session: { id: "s" },
      identity: { id: "agent:coding-assistant", type: "agent", on_behalf_of: [{ id: "user:sam", type: "human" }] },
      action: "read", resource: { id: "repository:custos-app", type: "repository" },
      tool: { server: "github", name: "read_file", arguments: { path: "src/app.ts" } }, purpose: "software_development",
    },
    expect: { decision: "allow" },
  },
  {
    name: "unknown identity",
    request: { event: "prompt", session: { id: "s" }, identity: { id: "agent:nobody", type: "agent" } },
    expect: { decision: "deny" },
  },
  {
    name: "path traversal to .env",
    request: {
      event: "tool_call", session: { id: "s" }, identity: { id: "agent:coding-assistant", type: "agent" },
      action: "read", resource: { id: "repository:custos-app", type: "repository" },
      tool: { server: "github", name: "read_file", arguments: { path: "src/../.env" } }, purpose: "software_development",
    },
    expect: { decision: "deny" },
  },
  {
    name: "tool not in the allowlist",
    request: {
      event: "tool_call", session: { id: "s" }, identity: { id: "agent:coding-assistant", type: "agent" },
      action: "execute", resource: { id: "repository:custos-app", type: "repository" },
      tool: { server: "shell", name: "exec", arguments: { cmd: "ls" } }, purpose: "software_development",
    },
    expect: { decision: "deny" },
  },
  {
    name: "model training needs approval",
    request: {
      event: "model_access", session: { id: "s" }, identity: { id: "service:model-trainer", type: "service" },
      action: "train", resource: { id: "model:fin-forecaster", type: "model" }, purpose: "model_training",
      context: { mtls: true },
    },
    expect: { decision: "escalate" },
  },
  {
    name: "compensation data sent outside",
    request: {
      event: "output", session: { id: "s" }, identity: { id: "user:priya", type: "human" }, action: "export",
      resource: { id: "dataset:payroll", type: "dataset" }, purpose: "payroll_review",
      data: { classification: "restricted", labels: ["compensation"], destination: "external" },
      context: { device: { managed: true, compliant: true } },
    },
    expect: { decision: "deny" },
  },
  {
    name: "expired token",
    request: {
      event: "retrieval", session: { id: "s" },
      identity: { id: "user:dana", type: "human",
        credential: { id: "tok-1", type: "jwt", issued_at: "{{now-7200}}", expires_at: "{{now-3600}}" } },
      action: "read", resource: { id: "dataset:support-cases", type: "dataset" }, purpose: "customer_support",
      context: { device: { managed: true, compliant: true } },
    },
    expect: { decision: "deny" },
  },
];
