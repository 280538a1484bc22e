// Finds path-like tool arguments and normalizes them (POSIX, `..` resolved) so policy globs see what the tool will
// touch: `src/../.env` is `.env`; absolute paths and `..` climbing above the root are marked as escaping.

/** One normalized path argument, as the policy reads it in `facts.tool_paths`. */
export interface ToolPath {
  /** Dotted location inside `tool.arguments`, e.g. `path` or `files.1`. */
  key: string;
  normalized: string;
  escapes: boolean;
}

const EXACT = new Set(["path", "paths", "file", "files", "filename", "filenames", "filepath", "filepaths", "dir", "dirs", "directory", "directories", "cwd", "root"]);

/** True for argument names that hold file system paths (`path`, `file_path`, `targetDir`, …). */
export function isPathKey(key: string): boolean {
  const flat = key.replace(/[-_]/g, "").toLowerCase();
  if (EXACT.has(flat)) return true;
  return /(?:[-_](?:path|file|dir|directory)s?|[a-z0-9](?:Path|File|Dir|Directory)s?|filename|filepath)$/.test(key) || /(path|paths)$/.test(flat);
}

/** Normalizes one path. */
export function normalizePath(raw: string): { normalized: string; escapes: boolean } {
  const unified = raw.replace(/\\/g, "/");
  const absolute = /^(?:\/|~|[A-Za-z]:)/.test(unified) || raw.includes("\0");
  const stack: string[] = [];
  let climbs = false;
  for (const part of unified.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (stack.length === 0) climbs = true;
      else stack.pop();
      continue;
    }
    stack.push(part);
  }
  const normalized = (absolute ? "/" : "") + stack.join("/");
  return { normalized: normalized === "" ? "." : normalized, escapes: absolute || climbs };
}

/** Collects every path-like string argument (also inside arrays and nested objects under path-like keys). */
export function extractToolPaths(args: Record<string, unknown> | undefined, maxDepth = 8): ToolPath[] {
  const out: ToolPath[] = [];
  const visit = (value: unknown, key: string, pathy: boolean, depth: number): void => {
    if (depth > maxDepth) return;
    if (typeof value === "string") {
      if (pathy) out.push({ key, ...normalizePath(value) });
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, `${key}.${i}`, pathy, depth + 1));
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) visit(v, key ? `${key}.${k}` : k, pathy || isPathKey(k), depth + 1);
    }
  };
  if (args) visit(args, "", false, 0);
  return out;
}
