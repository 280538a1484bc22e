// Rewrites the configuration table in README.md from src/config/schema.ts (run after `npm run build`).
import { readFileSync, writeFileSync } from "node:fs";
import { SETTINGS } from "../dist/src/config/schema.js";

const rows = Object.values(SETTINGS).map((s) => {
  const d = s.default === undefined ? "unset" : `\`${s.default}\``;
  return `| \`${s.env}\` | ${d} | ${s.description} |`;
});
const table = ["| variable | default | meaning |", "|---|---|---|", ...rows].join("\n");
const readme = readFileSync("README.md", "utf8");
const next = readme.replace(/\| variable \| default \| meaning \|\n\|---\|---\|---\|\n(?:\|.*\|\n)+/, `${table}\n`);
writeFileSync("README.md", next);
