import { readdirSync } from "node:fs";
import path from "node:path";

// Files under `dir` (paths as `dir` is given: relative stays relative) that `match`, sorted — for the
// guard tests that discover what they check. Generated code, dependencies and build output skipped.
const SKIPPED = ["node_modules", "generated", ".next", "artifacts"];

export function sourceFiles(dir: string, match: (file: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => !path.relative(dir, file).split(path.sep).some((part) => SKIPPED.includes(part)))
    .filter((file) => match(file))
    .sort();
}
