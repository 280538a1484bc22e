// Watches the bundle and data overlay files and reloads the policy when either changes. Polls file stats
// (fs.watchFile) rather than inotify, because `opa build -o` and deploy tools replace files by rename.
import { unwatchFile, watchFile, type Stats } from "node:fs";
import type { PolicyHolder } from "./policy-holder.js";

/** Stops watching. */
export type StopWatching = () => void;

/**
 * Reloads `holder` whenever one of `paths` changes (size, mtime or inode), at most once per change burst.
 * @param intervalMs polling interval; @default 1000
 */
export function watchPolicyFiles(holder: PolicyHolder, paths: readonly string[], intervalMs = 1000): StopWatching {
  let timer: NodeJS.Timeout | null = null;
  const schedule = () => {
    // Coalesce the stat changes of one write (truncate, write, rename) into one reload.
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void holder.reload();
    }, Math.min(200, intervalMs));
    timer.unref();
  };
  const listener = (curr: Stats, prev: Stats) => {
    if (curr.mtimeMs !== prev.mtimeMs || curr.size !== prev.size || curr.ino !== prev.ino) schedule();
  };
  for (const p of paths) watchFile(p, { interval: intervalMs, persistent: false }, listener);
  return () => {
    if (timer) clearTimeout(timer);
    for (const p of paths) unwatchFile(p, listener);
  };
}
