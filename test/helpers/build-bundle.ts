// Compiles a WebAssembly bundle for a test from Rego sources with the pinned opa (`opa build -t wasm`, the
// capabilities file production uses when it exists) into a temp dir, with data written beside the sources.
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The pinned opa: `CUSTOS_OPA` (set by the test script) or `.tools/bin/opa`. */
export function opaPath(): string {
  return process.env.CUSTOS_OPA ?? resolve(".tools/bin/opa");
}

/** The WebAssembly capabilities file, when the repository has one. */
export const CAPABILITIES = "scripts/opa-capabilities.json";

/** What to compile. */
export interface BundleSpec {
  /** Rego files or directories (copied; `*_test.rego` is left out of the bundle). */
  sources: string[];
  entrypoints: string[];
  /** Written as the bundle's data.json. */
  data?: Record<string, unknown>;
  /** @default "test" */
  revision?: string;
}

/** Builds the bundle and returns the path of the .tar.gz. */
export async function buildBundle(spec: BundleSpec): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "custos-bundle-"));
  const src = join(dir, "src");
  for (const s of spec.sources) cpSync(s, join(src, basename(s)), { recursive: true });
  if (spec.data) writeFileSync(join(src, "data.json"), JSON.stringify(spec.data));
  const out = join(dir, "bundle.tar.gz");
  const args = ["build", "-t", "wasm", "--ignore", "*_test.rego", "-r", spec.revision ?? "test", "-o", out];
  for (const e of spec.entrypoints) args.push("-e", e);
  if (existsSync(CAPABILITIES)) args.push("--capabilities", CAPABILITIES);
  args.push(src);
  try {
    await run(opaPath(), args, { maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`opa build failed: ${e.stderr || e.stdout || e.message}`);
  }
  return out;
}
