// Rotating BURNRATE_CREDENTIALS_KEY: the old key, kept as BURNRATE_CREDENTIALS_KEY_PREVIOUS, still
// opens what it sealed; `credential reencrypt` (a real CLI process with the two keys in its
// environment) seals every credential with the new key, after which the old key is no longer needed.
import { randomBytes } from "node:crypto";
import { expect, test } from "vitest";
import { prisma } from "../db";
import { run } from "../testing/child";
import { createTestOrg } from "../testing/fixtures";
import { decryptApiKey, encryptApiKey, reencryptCredentials } from "./credentials";

const newKey = () => randomBytes(32);

async function storeSealed(orgId: string, provider: "openai" | "anthropic", apiKeyEnc: string) {
  await prisma().providerCredential.create({ data: { orgId, provider, apiKeyEnc } });
}

async function sealedOf(orgId: string, provider: string): Promise<string> {
  return (await prisma().providerCredential.findUniqueOrThrow({ where: { orgId_provider: { orgId, provider } } })).apiKeyEnc;
}

async function adminProcess(args: string[], keys: { current: Buffer; previous: Buffer }) {
  const child = run(process.execPath, ["--import", "tsx", "scripts/admin.ts", ...args], {
    BURNRATE_CREDENTIALS_KEY: keys.current.toString("base64"),
    BURNRATE_CREDENTIALS_KEY_PREVIOUS: keys.previous.toString("base64"),
  });
  child.child.stdin!.end();
  const { code } = await child.exited;
  return { code, output: child.output() };
}

test("a credential sealed with the previous key decrypts during a rotation and is re-sealed with the new key by the CLI", async () => {
  const t = await createTestOrg();
  const [oldKey, currentKey] = [newKey(), newKey()];
  await storeSealed(t.org.id, "openai", encryptApiKey(t.org.id, "openai", "sk-rotate-1", oldKey));

  expect(() => decryptApiKey(t.org.id, "openai", "x", [currentKey])).toThrow(/cannot be decrypted/);
  expect(() => decryptApiKey(t.org.id, "openai", "nonsense:aaaa:bbbb", [currentKey, oldKey])).toThrow(/cannot be decrypted/);
  const sealed = await sealedOf(t.org.id, "openai");
  expect(() => decryptApiKey(t.org.id, "openai", sealed, [currentKey])).toThrow(/cannot be decrypted/);
  expect(decryptApiKey(t.org.id, "openai", sealed, [currentKey, oldKey])).toBe("sk-rotate-1");

  const first = await adminProcess(["credential", "reencrypt", "--org", t.org.slug], { current: currentKey, previous: oldKey });
  expect(first.code, first.output).toBe(0);
  expect(first.output).toContain("re-encrypted 1 credential(s) with the current key; 0 already were");
  expect(first.output).not.toContain("sk-rotate-1");
  const resealed = await sealedOf(t.org.id, "openai");
  expect(decryptApiKey(t.org.id, "openai", resealed, [currentKey])).toBe("sk-rotate-1");
  expect(() => decryptApiKey(t.org.id, "openai", resealed, [oldKey])).toThrow(/cannot be decrypted/);

  // Again: nothing left to do.
  const second = await adminProcess(["credential", "reencrypt", "--org", t.org.slug], { current: currentKey, previous: oldKey });
  expect(second.code, second.output).toBe(0);
  expect(second.output).toContain("re-encrypted 0 credential(s) with the current key; 1 already were");
  expect(await sealedOf(t.org.id, "openai")).toBe(resealed);
});

test("a credential neither key opens is reported, left as it is, and fails the command", async () => {
  const t = await createTestOrg();
  const [oldKey, currentKey, strayKey] = [newKey(), newKey(), newKey()];
  await storeSealed(t.org.id, "openai", encryptApiKey(t.org.id, "openai", "sk-ok", oldKey));
  const stray = encryptApiKey(t.org.id, "anthropic", "sk-ant-lost", strayKey);
  await storeSealed(t.org.id, "anthropic", stray);

  const result = await reencryptCredentials({ orgId: t.org.id, current: currentKey, previous: oldKey });
  expect(result).toEqual({ reencrypted: 1, alreadyCurrent: 0, unreadable: [{ orgId: t.org.id, provider: "anthropic" }] });
  expect(await sealedOf(t.org.id, "anthropic")).toBe(stray);
  expect(decryptApiKey(t.org.id, "openai", await sealedOf(t.org.id, "openai"), [currentKey])).toBe("sk-ok");

  const cli = await adminProcess(["credential", "reencrypt", "--org", t.org.slug], { current: currentKey, previous: oldKey });
  expect(cli.code).toBe(1);
  expect(cli.output).toContain(`cannot decrypt the anthropic credential of ${t.org.slug} with either key`);
});
