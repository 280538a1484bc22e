// The inspector: runs the rules a text's keywords call for, keeps the matches that pass their checks, settles
// overlaps by rule priority, and reports findings that carry a keyed fingerprint, never the value.
import { createHmac, createSecretKey } from "node:crypto";
import { compileRules, CONTEXT_CHARS, type CompiledRule } from "./compile-rules.js";
import { redact } from "./redact.js";
import { RULES } from "./rules.js";
import { linearRegex } from "./linear.js";
import { looksLikeNamedSecret, secretNameKind, withoutAuthScheme, type SecretNameKind } from "./secret-names.js";
import { CustosError } from "../errors.js";
import type { Finding, InspectField, Inspector, RuleSpec } from "./types.js";

/** Most text one `inspect()` call scans, in UTF-16 code units summed over its fields (1 MiB of characters). */
export const MAX_INSPECT_CHARS = 1 << 20;
/** Most findings one `inspect()` call returns. */
export const MAX_FINDINGS_PER_CALL = 512;
/** Most raw matches (before overlaps are settled) one call collects; more counts as too many findings. */
export const MAX_CANDIDATES_PER_CALL = 16 * MAX_FINDINGS_PER_CALL;

/**
 * Thrown by `inspect()` when a call would exceed its share of the request budget: more than `MAX_INSPECT_CHARS` of
 * text (`limit: "text"`), or more than `MAX_FINDINGS_PER_CALL` findings (`limit: "findings"`). It is a CustosError
 * `payload_too_large` (HTTP 413) whose `errors[0].field` names the field where the limit was crossed; a caller that
 * would rather deny catches it by class or by `limit`. Nothing is returned in that case, so no result ever holds
 * more than the cap.
 */
export class InspectLimitError extends CustosError {
  constructor(
    readonly limit: "text" | "findings",
    readonly field: string,
  ) {
    const message = limit === "text"
      ? `inspected text exceeds ${MAX_INSPECT_CHARS} characters`
      : `inspected text holds more than ${MAX_FINDINGS_PER_CALL} findings`;
    super("payload_too_large", message, { errors: [{ field, message }] });
    this.name = "InspectLimitError";
  }
}

/** A header-style line, `Name: value`: the name, the colon and the spaces after it (through the linear-time gate). */
export const INLINE_NAME_SOURCE = String.raw`^([A-Za-z][\w-]{0,63}):[ \t]{0,64}(?=\S)`;
const INLINE_NAME = linearRegex("secret-names", "inlineName", INLINE_NAME_SOURCE);

/** How far either side of a match an `re2` allowlist's line reaches. */
const LINE_CONTEXT = 1024;

/** Options of `createInspector`. */
export interface InspectorOptions {
  /** Key of the HMAC-SHA256 fingerprints; keep it secret and stable so fingerprints correlate across decisions. */
  fingerprintKey: string | Buffer;
  /** The rules, highest priority first. @default RULES */
  rules?: readonly RuleSpec[];
}


interface Candidate {
  rule: CompiledRule;
  start: number;
  end: number;
  value: string;
}

function anySeen(ids: readonly number[], seen: Uint8Array): boolean {
  for (let i = 0; i < ids.length; i++) if (seen[ids[i]!] === 1) return true;
  return false;
}

/** Builds an inspector; rules are compiled (and checked) once, here. */
export function createInspector(options: InspectorOptions): Inspector {
  const { rules, scanner } = compileRules(options.rules ?? RULES);
  if (options.fingerprintKey.length === 0) throw new Error("fingerprintKey must not be empty");
  // Imported once: an HMAC per finding then skips re-reading the key.
  const key = createSecretKey(typeof options.fingerprintKey === "string" ? Buffer.from(options.fingerprintKey, "utf8") : options.fingerprintKey);
  // The two readings of a value by its name, as rules (they are not in the rule list: no regex, no keywords).
  const namedRule = (id: string, type: string, description: string): CompiledRule => ({
    spec: { id, description, kind: "secret", type, severity: "high", keywords: [], regex: "" },
    order: -1, regex: null, re2: null, groups: 0, secretGroup: 0, checkGroup: 0, keywordIds: [], always: false, accepts: () => true, precededBy: null,
  });
  const namedPassword = namedRule("password-by-name", "password", "A tool argument stored under a password's name (password, DB_PASSWORD, passwd …)");
  const namedOther = namedRule("secret-by-name", "generic-secret", "A tool argument stored under a secret's name (token, api_key, clientSecret …)");
  const fingerprint = (value: string): string => createHmac("sha256", key).update(value, "utf8").digest("hex").slice(0, 32);

  /** Runs `rule` over `text[lo, hi)` (a slice with one character of context per side), adding what passes. */
  function matchRange(rule: CompiledRule, text: string, lo: number, hi: number, out: Candidate[]): void {
    const whole = lo === 0 && hi === text.length;
    const offset = whole ? 0 : Math.max(0, lo - 1);
    const subject = whole ? text : text.slice(offset, Math.min(text.length, hi + 1));
    const re = rule.regex!;
    re.lastIndex = 0;
    for (let m = re.exec(subject); m !== null; m = re.exec(subject)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      const start = offset + m.index;
      if (start < lo || start + m[0].length > hi) continue;
      const span = m.indices?.[rule.secretGroup];
      const value = m[rule.secretGroup];
      if (span === undefined || value === undefined || value.length === 0) continue;
      if (!rule.accepts(m[rule.checkGroup] ?? "")) continue;
      if (rule.precededBy?.test(text.slice(Math.max(0, start - CONTEXT_CHARS), start))) continue;
      if (++budget.candidates > MAX_CANDIDATES_PER_CALL) throw new InspectLimitError("findings", budget.field);
      out.push({ rule, start: offset + span[0], end: offset + span[1], value });
    }
  }

  /** Runs an `re2` rule over the whole text (RE2: linear in the text by construction), adding what passes. */
  function matchRe2(rule: CompiledRule, text: string, out: Candidate[]): void {
    const m = rule.re2!.matcher(text);
    while (m.find()) {
      const start = m.start();
      const end = m.end();
      if (end === start) continue;
      let g = rule.secretGroup;
      if (g < 0) {
        g = 0;
        for (let i = 1; i <= rule.groups; i++) {
          const v = m.group(i);
          if (v !== null && v.length > 0) {
            g = i;
            break;
          }
        }
      }
      const value = m.group(g);
      if (value === null || value.length === 0) continue;
      const match = m.group(0) ?? "";
      // The match's line, at most LINE_CONTEXT characters either side (so the work per match stays bounded).
      const lo = Math.max(0, start - LINE_CONTEXT);
      const before = text.slice(lo, start);
      const after = text.slice(end, end + LINE_CONTEXT);
      const nl = after.indexOf("\n");
      const line = before.slice(before.lastIndexOf("\n") + 1) + match + (nl < 0 ? after : after.slice(0, nl));
      if (!rule.accepts(value, match, line)) continue;
      if (++budget.candidates > MAX_CANDIDATES_PER_CALL) throw new InspectLimitError("findings", budget.field);
      out.push({ rule, start: m.start(g), end: m.end(g), value });
    }
  }

  /** The merged `[lo, hi)` ranges around the occurrences of a windowed rule's keywords. */
  function windows(rule: CompiledRule, ranges: readonly (number[] | undefined)[], n: number): number[] {
    const { before, after } = rule.spec.window!;
    const raw: [number, number][] = [];
    for (const k of rule.keywordIds) {
      const r = ranges[k];
      if (r) for (let i = 0; i < r.length; i += 2) raw.push([Math.max(0, r[i]! - before), Math.min(n, r[i + 1]! + after)]);
    }
    raw.sort((a, b) => a[0] - b[0]);
    const merged: number[] = [];
    for (const [lo, hi] of raw) {
      if (merged.length > 0 && lo <= merged[merged.length - 1]!) merged[merged.length - 1] = Math.max(merged[merged.length - 1]!, hi);
      else merged.push(lo, hi);
    }
    return merged;
  }

  /** Keeps the highest-priority candidates that do not overlap one another, in text order. */
  function settle(candidates: Candidate[], n: number): Candidate[] {
    if (candidates.length <= 1) return candidates;
    candidates.sort((a, b) => a.rule.order - b.rule.order || a.start - b.start);
    const taken = new Uint8Array(n);
    const kept: Candidate[] = [];
    for (const c of candidates) {
      let free = true;
      for (let i = c.start; i < c.end && free; i++) free = taken[i] === 0;
      if (!free) continue;
      taken.fill(1, c.start, c.end);
      kept.push(c);
    }
    return kept.sort((a, b) => a.start - b.start);
  }

  /** What the current call has used (calls are synchronous, so one record serves them all). */
  const budget = { candidates: 0, findings: 0, field: "" };

  /** Names already judged in this call (a request repeats its keys: every element of an array shares one). */
  const nameKinds = new Map<string, SecretNameKind>();

  function kindOf(name: string): SecretNameKind {
    let kind = nameKinds.get(name);
    if (kind === undefined) {
      kind = secretNameKind(name);
      if (nameKinds.size < 4096) nameKinds.set(name, kind);
    }
    return kind;
  }

  /**
   * The findings of `text` with its value as one secret: the whole text, or the value of the `Name: value` line it
   * starts with (as in `["-H", "Authorization: Bearer …"]`), when its name says it is a credential and the value
   * looks like one; null when not, or when a rule's secret finding already covers all of it (it keeps its more
   * precise type). A value known by its name is redacted whole, never in part; findings outside it stay.
   */
  function namedSecret(text: string, name: string, kept: Candidate[]): Candidate[] | null {
    let kind = kindOf(name);
    let from = 0;
    let to = text.length;
    if (kind === null || !looksLikeNamedSecret(kind, text)) {
      // A `Name: value` line: the value ends at the line's end, and is one token (or an auth scheme and its token).
      const inline = INLINE_NAME.exec(text);
      if (inline === null) return null;
      kind = kindOf(inline[1]!);
      from = inline[0].length;
      const nl = text.indexOf("\n", from);
      if (nl >= 0) to = nl;
      const value = text.slice(from, to);
      if (kind === null || /\s/.test(withoutAuthScheme(value.trim())) || !looksLikeNamedSecret(kind, value)) return null;
    }
    const value = text.slice(from, to);
    let start = from + (value.length - value.trimStart().length);
    const end = from + value.trimEnd().length;
    if (kept.some((c) => c.rule.spec.kind === "secret" && c.start <= start && c.end >= end)) return null;
    // What the rules found outside the value stays; a finding reaching into it widens the value's span.
    let stop = end;
    for (const c of kept) {
      if (c.start < start && c.end > start) start = c.start;
      if (c.start < stop && c.end > stop) stop = c.end;
    }
    const named = { rule: kind === "password" ? namedPassword : namedOther, start, end: stop, value: text.slice(start, stop) };
    return [...kept.filter((c) => c.end <= start || c.start >= stop), named].sort((x, y) => x.start - y.start);
  }

  function inspectText(field: string, text: string, name: string | undefined): Finding[] {
    if (text.length === 0) return [];
    budget.field = field;
    const hits = scanner.scan(text);
    const candidates: Candidate[] = [];
    for (const rule of rules) {
      if (!rule.always && !anySeen(rule.keywordIds, hits.seen)) continue;
      if (rule.re2) {
        matchRe2(rule, text, candidates);
        continue;
      }
      if (!rule.spec.window) {
        matchRange(rule, text, 0, text.length, candidates);
        continue;
      }
      const w = windows(rule, hits.ranges, text.length);
      for (let i = 0; i < w.length; i += 2) matchRange(rule, text, w[i]!, w[i + 1]!, candidates);
    }
    let kept = settle(candidates, text.length);
    const named = name === undefined ? null : namedSecret(text, name, kept);
    if (named !== null) kept = named;
    budget.findings += kept.length;
    if (budget.findings > MAX_FINDINGS_PER_CALL) throw new InspectLimitError("findings", field);
    return kept.map((c) => ({
      rule: c.rule.spec.id,
      kind: c.rule.spec.kind,
      type: c.rule.spec.type,
      severity: c.rule.spec.severity,
      location: { field, start: c.start, end: c.end },
      fingerprint: fingerprint(c.value),
    }));
  }

  return {
    inspect(fields: InspectField[]): Finding[] {
      const order = fields.map((f, i) => ({ f, i })).sort((a, b) => (a.f.field < b.f.field ? -1 : a.f.field > b.f.field ? 1 : a.i - b.i));
      let chars = 0;
      for (const { f } of order) {
        if (typeof f.text === "string" && (chars += f.text.length) > MAX_INSPECT_CHARS) throw new InspectLimitError("text", f.field);
      }
      budget.candidates = 0;
      budget.findings = 0;
      nameKinds.clear();
      return order.flatMap(({ f }) => (typeof f.text === "string" ? inspectText(f.field, f.text, typeof f.name === "string" ? f.name : undefined) : []));
    },
    redact,
  };
}
