// Operator secret rules in gitleaks' own format: a `.gitleaks.toml` (`[[rules]]` with `id`, `regex`, `keywords`,
// `entropy`, `secretGroup`, `[[rules.allowlists]]`, and the global `[allowlist]` / `[[allowlists]]`) read into rules
// of the `re2` engine. gitleaks writes Go RE2 syntax, which re2js compiles as written (it is a port of the same
// parser), so a rule is either taken faithfully or refused with a message naming it; RE2 has no lookaround or
// backreferences, so every accepted rule runs in time linear in the text.
import { parse, TomlError } from "smol-toml";
import { compileRe2 } from "./compile-rules.js";
import type { Re2Allowlist, RuleSpec, Severity } from "./types.js";

/** Most rules one config may hold. */
export const MAX_OPERATOR_RULES = 1000;
/** Largest config file read, in bytes. */
export const MAX_CONFIG_BYTES = 1 << 20;

/** A config that cannot be used; `rule` names the rule at fault when there is one. */
export class SecretRulesError extends Error {
  constructor(
    message: string,
    readonly rule: string | null = null,
  ) {
    super(message);
    this.name = "SecretRulesError";
  }
}

const SEVERITIES: readonly Severity[] = ["low", "medium", "high", "critical"];

type Table = Record<string, unknown>;

function isTable(v: unknown): v is Table {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function strings(v: unknown, where: string, rule: string | null): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) throw new SecretRulesError(`${where} must be an array of strings`, rule);
  return v as string[];
}

function fail(rule: string, problem: string): never {
  throw new SecretRulesError(`rule ${rule}: ${problem}`, rule);
}

/** Reads one gitleaks allowlist table (rule-level or global). */
function allowlistOf(t: unknown, where: string, rule: string | null): Re2Allowlist & { targetRules: string[] } {
  if (!isTable(t)) throw new SecretRulesError(`${where} must be a table`, rule);
  const condition = t.condition === undefined ? "or" : typeof t.condition === "string" ? t.condition.toLowerCase() : "";
  if (condition !== "or" && condition !== "and") throw new SecretRulesError(`${where}.condition must be OR or AND`, rule);
  const regexTarget = t.regexTarget === undefined ? "secret" : t.regexTarget;
  if (regexTarget !== "secret" && regexTarget !== "match" && regexTarget !== "line") throw new SecretRulesError(`${where}.regexTarget must be secret, match or line`, rule);
  const regexes = strings(t.regexes, `${where}.regexes`, rule);
  const stopwords = strings(t.stopwords, `${where}.stopwords`, rule);
  const paths = strings(t.paths, `${where}.paths`, rule);
  const commits = strings(t.commits, `${where}.commits`, rule);
  const targetRules = strings(t.targetRules, `${where}.targetRules`, rule);
  return { condition, regexTarget, regexes, stopwords, hasUnmatchable: paths.length + commits.length > 0, targetRules };
}

/**
 * Parses a gitleaks TOML config into `re2` rules (the config's global allowlists folded into each rule they target).
 * Checked here: the TOML, each field's type, each regex as RE2 (compiled once, so a rule that would fail at run time
 * is refused now), keywords as printable ASCII, ids unique and distinct from `reservedIds`. Path-only rules (no
 * `regex`) are refused: content has no path. `[extend]` is accepted and means nothing here: the built-in rules
 * always run.
 * @throws SecretRulesError naming the rule at fault.
 */
export function parseGitleaksConfig(text: string, reservedIds: ReadonlySet<string> = new Set()): RuleSpec[] {
  let doc: Table;
  try {
    doc = parse(text) as Table;
  } catch (err) {
    const e = err as TomlError;
    throw new SecretRulesError(`not valid TOML${e.line ? ` (line ${e.line}, column ${e.column})` : ""}`);
  }
  const globals: (Re2Allowlist & { targetRules: string[] })[] = [];
  if (doc.allowlist !== undefined) globals.push(allowlistOf(doc.allowlist, "allowlist", null));
  if (doc.allowlists !== undefined) {
    if (!Array.isArray(doc.allowlists)) throw new SecretRulesError("allowlists must be an array of tables");
    doc.allowlists.forEach((a, i) => globals.push(allowlistOf(a, `allowlists[${i}]`, null)));
  }
  globals.forEach((g, i) => [...g.regexes].forEach((x, j) => compileRe2("global", `allowlist ${i} regex ${j}`, x)));
  const raw = doc.rules ?? [];
  if (!Array.isArray(raw)) throw new SecretRulesError("rules must be an array of tables ([[rules]])");
  if (raw.length > MAX_OPERATOR_RULES) throw new SecretRulesError(`more than ${MAX_OPERATOR_RULES} rules`);
  const seen = new Set<string>();
  return raw.map((r, index): RuleSpec => {
    if (!isTable(r)) throw new SecretRulesError(`rules[${index}] must be a table`);
    const id = typeof r.id === "string" ? r.id : fail(`#${index + 1}`, "needs an id (a string)");
    if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/.test(id)) fail(`#${index + 1}`, "id must be 1-128 letters, digits, _ . : - (starting with a letter or digit)");
    if (seen.has(id)) fail(id, "duplicate id");
    if (reservedIds.has(id)) fail(id, "id is a built-in rule's");
    seen.add(id);
    if (r.regex === undefined) fail(id, r.path !== undefined ? "a path-only rule cannot apply to content" : "needs a regex");
    if (typeof r.regex !== "string") fail(id, "regex must be a string");
    const keywords = strings(r.keywords, `rule ${id}: keywords`, id);
    for (const k of keywords) if (k.length === 0 || !/^[\x20-\x7e]+$/.test(k)) fail(id, `keyword ${JSON.stringify(k)} must be printable ASCII`);
    let entropy: number | undefined;
    if (r.entropy !== undefined) {
      if (typeof r.entropy !== "number" || !(r.entropy >= 0 && r.entropy <= 16)) fail(id, "entropy must be a number from 0 to 16");
      entropy = r.entropy;
    }
    let secretGroup: number | undefined;
    if (r.secretGroup !== undefined) {
      const g = typeof r.secretGroup === "bigint" ? Number(r.secretGroup) : r.secretGroup;
      if (typeof g !== "number" || !Number.isInteger(g) || g < 0) fail(id, "secretGroup must be a non-negative integer");
      secretGroup = g;
    }
    let severity: Severity = "high";
    if (r.severity !== undefined) {
      if (!SEVERITIES.includes(r.severity as Severity)) fail(id, `severity must be one of ${SEVERITIES.join(", ")}`);
      severity = r.severity as Severity;
    }
    const own: Re2Allowlist[] = [];
    if (r.allowlist !== undefined) own.push(allowlistOf(r.allowlist, `rule ${id}: allowlist`, id));
    if (r.allowlists !== undefined) {
      if (!Array.isArray(r.allowlists)) fail(id, "allowlists must be an array of tables ([[rules.allowlists]])");
      r.allowlists.forEach((a, i) => own.push(allowlistOf(a, `rule ${id}: allowlists[${i}]`, id)));
    }
    const applying = globals.filter((g) => g.targetRules.length === 0 || g.targetRules.includes(id));
    const spec: RuleSpec = {
      id,
      description: typeof r.description === "string" ? r.description.slice(0, 200) : `operator rule ${id}`,
      kind: "secret",
      type: "secret",
      severity,
      keywords,
      regex: r.regex,
      engine: "re2",
      noGlobalAllowlist: true,
      ...(entropy !== undefined ? { entropy } : {}),
      ...(secretGroup !== undefined ? { secretGroup } : {}),
      re2Allowlists: [...own, ...applying].map(({ condition, regexTarget, regexes, stopwords, hasUnmatchable }) => ({ condition, regexTarget, regexes, stopwords, hasUnmatchable })),
    };
    // Compile now so the message names the rule and the part at fault.
    const re = compileRe2(id, "regex", r.regex);
    if (secretGroup !== undefined && secretGroup > re.groupCount()) fail(id, `secretGroup ${secretGroup} is out of range (the regex has ${re.groupCount()} groups)`);
    own.forEach((a, i) => a.regexes.forEach((x, j) => compileRe2(id, `allowlist ${i} regex ${j}`, x)));
    return spec;
  });
}
