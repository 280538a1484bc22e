// The inspector with the operator's secret rules (a gitleaks TOML file), hot-reloaded like the policy bundle: the
// file's stats are polled; a change builds a complete new inspector beside the live one and swaps it in only when
// every rule compiled; a bad file keeps the rules that were in force.
import { readFileSync, statSync, unwatchFile, watchFile, type Stats } from "node:fs";
import { MAX_CONFIG_BYTES, parseGitleaksConfig, SecretRulesError } from "./gitleaks-config.js";
import { createInspector } from "./inspector.js";
import { RULES } from "./rules.js";
import type { Finding, InspectField, Inspector, RuleSpec } from "./types.js";

/** The outcome of one (re)load of the rules file. */
export type RulesLoadOutcome = { ok: true; rules: number } | { ok: false; error: Error };

/** An inspector whose operator rules can be reloaded. */
export interface ReloadingInspector extends Inspector {
  /** Reads the file again; on failure the rules in force stay. */
  reload(): RulesLoadOutcome;
  /** Stops watching the file. */
  stop(): void;
}

/** The built-in rules with `operator` rules inserted after the built-in secret rules (so before personal data). */
export function withOperatorRules(operator: readonly RuleSpec[], builtIn: readonly RuleSpec[] = RULES): RuleSpec[] {
  const firstPii = builtIn.findIndex((r) => r.kind === "pii");
  const at = firstPii < 0 ? builtIn.length : firstPii;
  return [...builtIn.slice(0, at), ...operator, ...builtIn.slice(at)];
}

/** Reads and compiles the rules file at `path` into a complete inspector, or throws naming the rule at fault. */
export function loadOperatorInspector(path: string, fingerprintKey: string | Buffer): { inspector: Inspector; rules: number } {
  let text: string;
  try {
    if (statSync(path).size > MAX_CONFIG_BYTES) throw new SecretRulesError(`is larger than ${MAX_CONFIG_BYTES} bytes`);
    text = readFileSync(path, "utf8");
  } catch (err) {
    if (err instanceof SecretRulesError) throw err;
    throw new SecretRulesError(`cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
  const operator = parseGitleaksConfig(text, new Set(RULES.map((r) => r.id)));
  return { inspector: createInspector({ fingerprintKey, rules: withOperatorRules(operator) }), rules: operator.length };
}

/**
 * Starts an inspector with the operator's rules from `path` (the first load throws on a bad file) and, when
 * `watchIntervalMs` > 0, reloads it when the file changes, reporting each outcome to `onLoad`.
 */
export function startOperatorInspector(options: {
  path: string;
  fingerprintKey: string | Buffer;
  watchIntervalMs: number;
  onLoad?: (outcome: RulesLoadOutcome) => void;
}): ReloadingInspector {
  const { path, fingerprintKey, watchIntervalMs, onLoad } = options;
  let current = loadOperatorInspector(path, fingerprintKey).inspector;
  const reload = (): RulesLoadOutcome => {
    let outcome: RulesLoadOutcome;
    try {
      const next = loadOperatorInspector(path, fingerprintKey);
      current = next.inspector;
      outcome = { ok: true, rules: next.rules };
    } catch (err) {
      outcome = { ok: false, error: err as Error };
    }
    onLoad?.(outcome);
    return outcome;
  };
  let timer: NodeJS.Timeout | null = null;
  const listener = (now: Stats, before: Stats): void => {
    if (now.mtimeMs === before.mtimeMs && now.size === before.size && now.ino === before.ino) return;
    // Coalesce the stat changes of one write (truncate, write, rename) into one reload.
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      reload();
    }, 50);
    timer.unref();
  };
  if (watchIntervalMs > 0) watchFile(path, { interval: watchIntervalMs, persistent: false }, listener);
  return {
    inspect: (fields: InspectField[]): Finding[] => current.inspect(fields),
    redact: (text: string, findings: Finding[]): string => current.redact(text, findings),
    reload,
    stop() {
      if (timer) clearTimeout(timer);
      if (watchIntervalMs > 0) unwatchFile(path, listener);
    },
  };
}
