import { parseArgs } from "node:util";
import { ROLES } from "../auth/permissions";
import { prisma } from "../db";
import { asDomainError, notFound } from "../errors";
import type { Role } from "../generated/prisma/enums";
import { issueKey, revokeKey } from "../keys/issue";
import type { TKeyScope } from "../keys/authenticate";
import { createOrg, findOrgBySlug } from "../orgs/create";
import { setMemberByOperator } from "../orgs/members";
import { createCostCenter, createTeam } from "../teams/manage";

type TIo = { out: (line: string) => void; err: (line: string) => void };

const USAGE = `usage: npm run admin -- <command>
  org create <slug> [--name <name>] [--timezone <IANA zone>]
  team create --org <slug> <team-slug> [--name <name>] [--cost-center <code>]
  cost-center create --org <slug> <code> [--name <name>]
  key create --org <slug> --name <name> [--team <slug>] [--scope ingest,read] [--agent <name>] [--rpm <n>] [--expires <ISO date>]
  key revoke --org <slug> <prefix>
  member add --org <slug> <email> [--role owner|admin|member|viewer]   (default owner; they sign in by magic link)`;

class UsageError extends Error {}

// Returns the exit code. The new key's secret is printed once, alone, on the last line of stdout.
export async function runAdmin(argv: string[], io: TIo): Promise<number> {
  const [noun, verb, ...rest] = argv;
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        org: { type: "string" },
        name: { type: "string" },
        timezone: { type: "string" },
        team: { type: "string" },
        "cost-center": { type: "string" },
        scope: { type: "string" },
        agent: { type: "string" },
        rpm: { type: "string" },
        expires: { type: "string" },
        role: { type: "string" },
      },
    });
    const command = `${noun ?? ""} ${verb ?? ""}`.trim();
    switch (command) {
      case "org create": {
        const slug = one(positionals, "org slug");
        const org = await createOrg({ slug, name: values.name, timezone: values.timezone });
        io.out(`created org ${org.slug} (${org.id}, ${org.timezone})`);
        return 0;
      }
      case "team create": {
        const org = await requireOrg(values.org);
        const slug = one(positionals, "team slug");
        const costCenter = values["cost-center"] ? await requireCostCenter(org.id, values["cost-center"]) : null;
        const team = await createTeam(org.id, null, { slug, name: values.name ?? slug, costCenterId: costCenter?.id ?? null });
        io.out(`created team ${slug} (${team.id})${costCenter ? ` in cost center ${costCenter.code}` : ""}`);
        return 0;
      }
      case "cost-center create": {
        const org = await requireOrg(values.org);
        const code = one(positionals, "cost center code");
        const cc = await createCostCenter(org.id, null, { code, name: values.name ?? code });
        io.out(`created cost center ${code} (${cc.id})`);
        return 0;
      }
      case "key create": {
        const org = await requireOrg(values.org);
        if (!values.name) throw new UsageError("--name is required");
        const team = values.team ? await prisma().team.findUnique({ where: { orgId_slug: { orgId: org.id, slug: values.team } } }) : null;
        if (values.team && !team) throw new UsageError(`no team '${values.team}' in org ${org.slug}`);
        const scopes = parseScopes(values.scope ?? "ingest");
        const rpm = values.rpm ? Number(values.rpm) : null;
        if (rpm !== null && (!Number.isInteger(rpm) || rpm < 1)) throw new UsageError("--rpm must be a positive integer");
        const expiresAt = values.expires ? new Date(values.expires) : null;
        if (expiresAt && Number.isNaN(expiresAt.getTime())) throw new UsageError("--expires must be an ISO date");
        const key = await issueKey({ orgId: org.id, name: values.name, scopes, teamId: team?.id ?? null, defaultAgent: values.agent ?? null, rpmLimit: rpm, expiresAt });
        io.out(`created key ${key.prefix}… (${values.name}, scopes ${scopes.join(",")}${team ? `, team ${team.slug}` : ""}); the secret is shown once:`);
        io.out(key.secret);
        return 0;
      }
      case "key revoke": {
        const org = await requireOrg(values.org);
        const prefix = one(positionals, "key prefix");
        const count = await revokeKey(org.id, prefix);
        if (count === 0) {
          io.err(`no active key with prefix ${prefix} in org ${org.slug}`);
          return 1;
        }
        io.out(`revoked ${count} key(s) with prefix ${prefix}`);
        return 0;
      }
      case "member add": {
        const org = await requireOrg(values.org);
        const email = one(positionals, "email").trim().toLowerCase();
        if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new UsageError(`'${email}' is not an email address`);
        const role = (values.role ?? "owner").toUpperCase();
        if (!isRole(role)) throw new UsageError("--role is one of owner, admin, member, viewer");
        const { change } = await setMemberByOperator(org.id, { email, role });
        io.out(`${email} ${change === "unchanged" ? "already is" : "is now"} ${role.toLowerCase()} of ${org.slug}; they sign in with a magic link`);
        return 0;
      }
      default:
        throw new UsageError(command ? `unknown command '${command}'` : "no command given");
    }
  } catch (err) {
    if (err instanceof UsageError || (err instanceof TypeError && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS"))) {
      io.err(`error: ${err.message}\n${USAGE}`);
      return 2;
    }
    // The CLI's mapping of the one domain error: its message (and field details), exit code 1.
    const domain = asDomainError(err);
    if (domain) {
      io.err(`error: ${domain.message}${(domain.details ?? []).map((d) => `\n  ${d.path}: ${d.message}`).join("")}`);
      return 1;
    }
    io.err(`error: ${(err as Error).message}`);
    return 1;
  }
}

const isRole = (role: string): role is Role => (ROLES as readonly string[]).includes(role);

function one(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(`expected exactly one ${what}`);
  return positionals[0];
}

async function requireOrg(slug: string | undefined) {
  if (!slug) throw new UsageError("--org <slug> is required");
  const org = await findOrgBySlug(slug);
  if (!org) throw notFound(`no org '${slug}'`);
  return org;
}

async function requireCostCenter(orgId: string, code: string) {
  const cc = await prisma().costCenter.findUnique({ where: { orgId_code: { orgId, code } } });
  if (!cc) throw notFound(`no cost center '${code}'`);
  return cc;
}

function parseScopes(value: string): TKeyScope[] {
  const scopes = value.split(",").map((s) => s.trim()).filter(Boolean);
  for (const s of scopes) if (s !== "ingest" && s !== "read") throw new UsageError(`unknown scope '${s}' (ingest, read)`);
  if (scopes.length === 0) throw new UsageError("--scope needs at least one scope");
  return [...new Set(scopes)] as TKeyScope[];
}
