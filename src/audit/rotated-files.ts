// The names of a log's rotated files: `<path>.1`, `<path>.2`, … in the order they were written, then `<path>`.
import { readdirSync } from "node:fs";
import { access, readdir } from "node:fs/promises";
import { basename, dirname } from "node:path";

/** The numbers N of the existing `<path>.N` files, ascending. */
export async function rotatedNumbers(path: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  return numbersIn(names, basename(path));
}

/** Synchronous {@link rotatedNumbers}, for opening the log. */
export function rotatedNumbersSync(path: string): number[] {
  try {
    return numbersIn(readdirSync(dirname(path)), basename(path));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
}

/** The path of rotated file `n`. */
export function rotatedPath(path: string, n: number): string {
  return `${path}.${n}`;
}

/**
 * Every file of the chain whose live file is `path`, in chain order: the rotated files by number, then `path`
 * (left out only when it is missing and rotated files exist: a crash between a rotation's rename and the new file).
 * This is what the verify command checks when it is given one path.
 */
export async function chainFiles(path: string): Promise<string[]> {
  const rotated = (await rotatedNumbers(path)).map((n) => rotatedPath(path, n));
  const live = await access(path).then(
    () => true,
    () => false,
  );
  return live || rotated.length === 0 ? [...rotated, path] : rotated;
}

function numbersIn(names: string[], base: string): number[] {
  const prefix = `${base}.`;
  return names
    .filter((n) => n.startsWith(prefix) && /^[1-9][0-9]*$/.test(n.slice(prefix.length)))
    .map((n) => Number(n.slice(prefix.length)))
    .filter((n) => Number.isSafeInteger(n))
    .sort((a, b) => a - b);
}

