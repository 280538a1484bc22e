// `custos/pep` is the enforcement-point toolkit alone: importing it in a fresh process loads none of the server's
// dependencies, while the root export (for embedding the service) does, which shows the check can see them.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";

const SERVER_DEPENDENCIES = ["express", "ioredis", "@open-policy-agent/opa-wasm", "winston", "prom-client"];

/** The packages under node_modules that a fresh `node` has loaded after importing `specifier`, and its exports. */
function loadedBy(specifier: string): { packages: string[]; exports: string[] } {
  const script = `
    const mod = await import(${JSON.stringify(specifier)});
    const { createRequire } = await import("node:module");
    const require = createRequire(import.meta.url);
    const packages = new Set();
    for (const file of Object.keys(require.cache)) {
      const m = /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(file);
      if (m) packages.add(m[1].replace(/\\\\/g, "/"));
    }
    process.stdout.write(JSON.stringify({ packages: [...packages].sort(), exports: Object.keys(mod).sort() }));
  `;
  return JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" })) as { packages: string[]; exports: string[] };
}

test("importing custos/pep loads none of express, ioredis, opa-wasm, winston, prom-client", () => {
  const pep = loadedBy("custos/pep");
  assert.ok(pep.exports.includes("createCustosClient") && pep.exports.includes("custosGuard") && pep.exports.includes("createMcpGuard"), pep.exports.join(","));
  for (const dep of SERVER_DEPENDENCIES) assert.ok(!pep.packages.includes(dep), `custos/pep loaded ${dep} (${pep.packages.join(", ")})`);
});

test("the root export still embeds the service (and loads its dependencies)", () => {
  const root = loadedBy("custos");
  assert.ok(root.exports.includes("createApp") && root.exports.includes("createCustosClient"), root.exports.join(","));
  for (const dep of ["express", "ioredis", "winston", "prom-client"]) assert.ok(root.packages.includes(dep), `custos loaded ${dep} (${root.packages.join(", ")})`);
});
