// Builds the real app (createApp, the committed bundle) on a free port for integration tests, with a temp audit log.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp, type App, type AppOverrides } from "../../src/app.js";
import { loadConfig } from "../../src/config/load-config.js";
import { silentLogger } from "../../src/observability/logger.js";

/** A running app and helpers to call it. */
export interface RunningApp {
  app: App;
  url: string;
  auditPath: string;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; body: any; text: string }>;
  close(): Promise<void>;
}

/** Starts Custos with `env` over test defaults (port 0, temp audit log, silent logs). */
export async function startApp(env: Record<string, string> = {}, overrides: AppOverrides = {}): Promise<RunningApp> {
  const dir = mkdtempSync(join(tmpdir(), "custos-test-"));
  const auditPath = join(dir, "audit.jsonl");
  const config = loadConfig({ PORT: "0", CUSTOS_AUDIT_LOG: auditPath, ...env });
  let app: App;
  try {
    app = await createApp(config, { logger: silentLogger(), ...overrides });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return {
    app,
    url,
    auditPath,
    async post(path, body, headers = {}) {
      const res = await fetch(url + path, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
    },
    async get(path, headers = {}) {
      const res = await fetch(url + path, { headers });
      const text = await res.text();
      let body: unknown = null;
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
      return { status: res.status, body, text };
    },
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Replaces "{{now}}", "{{now-600}}", "{{now+3600}}" strings (seconds offsets) with RFC 3339 times, recursively. */
export function withTimes<T>(value: T, nowMs = Date.now()): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") {
      const m = /^\{\{now([+-]\d+)?\}\}$/.exec(v);
      return m ? new Date(nowMs + Number(m[1] ?? 0) * 1000).toISOString() : v;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/**
 * A data overlay (a file for CUSTOS_DATA) that turns principal risk across sessions off, for suites that drive one
 * principal through many violations on purpose and are about something else (it would be flagged at the default
 * threshold of 300, as it should be).
 */
export function withoutPrincipalRisk(): string {
  const file = join(mkdtempSync(join(tmpdir(), "custos-data-")), "data.json");
  writeFileSync(file, JSON.stringify({ settings: { principal_risk_threshold: 0 } }));
  return file;
}
