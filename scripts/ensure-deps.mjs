// Installs the npm dependencies (`npm ci`) when node_modules is missing or older than package-lock.json, so that
// `npm start` and `npm test` work on a fresh clone as single commands.
import { execSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const marker = `${root}node_modules/.package-lock.json`;
const lock = `${root}package-lock.json`;
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs;
if (stale) {
  process.stderr.write("installing npm dependencies (npm ci)\n");
  execSync("npm ci --no-audit --no-fund", { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
}
