// Rotating BURNRATE_CREDENTIALS_KEY: the old key, kept as BURNRATE_CREDENTIALS_KEY_PREVIOUS, still
// opens what it sealed; `credential reencrypt` (a real CLI process with the two keys in its
// environment) seals every credential with the new key, after which the old key is no longer needed.
import { randomBytes } from "node:crypto";
import { expect, test } from "vitest";
import { prisma } from "../db";
import { run, runTs } from "../testing/child";
import { createTestOrg } from "../testing/fixtures";
import { applyReencryption, decryptApiKey, encryptApiKey, planReencryption, reencryptCredentials, setProviderCredential } from "./credentials";

const newKey = () => randomBytes(32);

async function storeSealed(orgId: string, provider: "openai" | "anthropic", apiKeyEnc: string) {
  await prisma().providerCredential.create({ data: { orgId, provider, apiKeyEnc } });
}

async function sealedOf(orgId: string, provider: string): Promise<string> {
  return (await prisma().providerCredential.findUniqueOrThrow({ where: { orgId_provider: { orgId, provider } } })).apiKeyEnc;
}

const keyEnv = (keys: { current: Buffer | null; previous: Buffer | null }) => ({
  BURNRATE_CREDENTIALS_KEY: keys.current?.toString("base64") ?? "",
  BURNRATE_CREDENTIALS_KEY_PREVIOUS: keys.previous?.toString("base64") ?? "",
});

async function adminProcess(args: string[], keys: { current: Buffer | null; previous: Buffer | null }, input = "") {
  const child = run(process.execPath, ["--import", "tsx", "scripts/admin.ts", ...args], keyEnv(keys));
  child.child.stdin!.end(input);
  const { code } = await child.exited;
  return { code, output: child.output() };
}

// What the gateway, in a process of its own with these keys, gets for the org's credential.
async function gatewayUpstreamKey(orgId: string, keys: { current: Buffer; previous: Buffer | null }): Promise<string> {
  const probe = runTs("lib/testing/upstream-probe.ts", { ...keyEnv(keys), PROBE_ORG_ID: orgId, PROBE_PROVIDER: "openai" });
  await probe.exited;
  return /^(UPSTREAM|FAILED) .*$/m.exec(probe.output())?.[0] ?? probe.output();
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
  // The gateway with the new key only cannot use it; with the old one kept as the previous key, it can.
  expect(await gatewayUpstreamKey(t.org.id, { current: currentKey, previous: null })).toMatch(/^FAILED .*cannot be decrypted/);
  expect(await gatewayUpstreamKey(t.org.id, { current: currentKey, previous: oldKey })).toBe("UPSTREAM sk-rotate-1");

  // Without BURNRATE_CREDENTIALS_KEY where it runs, reencrypt refuses (never seals with a generated key).
  const unset = await adminProcess(["credential", "reencrypt", "--org", t.org.slug], { current: null, previous: oldKey });
  expect(unset.code).toBe(1);
  expect(unset.output).toContain("BURNRATE_CREDENTIALS_KEY, which is not set here");
  expect(await sealedOf(t.org.id, "openai")).toBe(sealed);

  const first = await adminProcess(["credential", "reencrypt", "--org", t.org.slug], { current: currentKey, previous: oldKey });
  expect(first.code, first.output).toBe(0);
  expect(first.output).toContain("re-encrypted 1 credential(s) with the current key; 0 already were");
  expect(first.output).not.toContain("sk-rotate-1");
  const resealed = await sealedOf(t.org.id, "openai");
  expect(decryptApiKey(t.org.id, "openai", resealed, [currentKey])).toBe("sk-rotate-1");
  expect(await gatewayUpstreamKey(t.org.id, { current: currentKey, previous: null })).toBe("UPSTREAM sk-rotate-1");
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

  const result = await reencryptCredentials({ orgId: t.org.id, keys: { current: currentKey, previous: oldKey } });
  expect(result).toEqual({ reencrypted: 1, alreadyCurrent: 0, changedMeanwhile: 0, previousKeySet: true, unreadable: [{ orgId: t.org.id, provider: "anthropic" }] });
  expect(await sealedOf(t.org.id, "anthropic")).toBe(stray);
  expect(decryptApiKey(t.org.id, "openai", await sealedOf(t.org.id, "openai"), [currentKey])).toBe("sk-ok");

  const cli = await adminProcess(["credential", "reencrypt", "--org", t.org.slug], { current: currentKey, previous: oldKey });
  expect(cli.code).toBe(1);
  expect(cli.output).toContain(`cannot decrypt the anthropic credential of ${t.org.slug} with either key`);
});

test("a credential set again between the read and the write keeps its new value, and is counted apart", async () => {
  const t = await createTestOrg();
  const [oldKey, currentKey] = [newKey(), newKey()];
  await storeSealed(t.org.id, "openai", encryptApiKey(t.org.id, "openai", "sk-before", oldKey));
  const plan = await planReencryption({ current: currentKey, previous: oldKey }, t.org.id);
  expect(plan.changes).toHaveLength(1);

  await setProviderCredential(t.org.id, "openai", "sk-set-meanwhile", null);
  const setMeanwhile = await sealedOf(t.org.id, "openai");
  expect(await applyReencryption(plan.changes)).toBe(0);
  expect(await sealedOf(t.org.id, "openai")).toBe(setMeanwhile);
  expect(decryptApiKey(t.org.id, "openai", setMeanwhile)).toBe("sk-set-meanwhile");
});

test("credential set --key - in a real CLI process takes the key piped in (a CRLF line end dropped), and never prints it", async () => {
  const t = await createTestOrg();
  const currentKey = newKey();
  const set = await adminProcess(["credential", "set", "--org", t.org.slug, "--provider", "openai", "--key", "-"], { current: currentKey, previous: null }, "sk-piped-crlf-9\r\n");
  expect(set.code, set.output).toBe(0);
  expect(set.output).not.toContain("sk-piped-crlf-9");
  expect(decryptApiKey(t.org.id, "openai", await sealedOf(t.org.id, "openai"), [currentKey])).toBe("sk-piped-crlf-9");
});
