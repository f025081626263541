import { parseArgs } from "node:util";
import { ROLES } from "../auth/permissions";
import { prisma } from "../db";
import { changeBudget, createBudgetFromForm } from "../budgets/edit";
import { archiveBudget } from "../budgets/manage";
import { budgetsOverview, type TBudgetOverview } from "../budgets/overview";
import { asDomainError, notFound } from "../errors";
import type { Role } from "../generated/prisma/enums";
import { issueKey, revokeKey } from "../keys/issue";
import { KEY_SCOPES, type TKeyScope } from "../keys/authenticate";
import { displayUsd } from "../money";
import { createOrg, findOrgBySlug } from "../orgs/create";
import { addModelPrice } from "../pricing/price-overrides";
import { repriceModel } from "../pricing/reprice";
import { resumeExecution } from "../executions/resume";
import { setMemberByOperator } from "../orgs/members";
import { createCostCenter, createTeam } from "../teams/manage";
import { DEFAULT_BASE_URLS, isGatewayProvider, reencryptCredentials, setProviderCredential } from "../gateway/credentials";

// stdin: the whole of standard input, for a secret given as "-" (kept out of the process list and
// shell history); absent where there is none to read.
type TIo = { out: (line: string) => void; err: (line: string) => void; stdin?: () => Promise<string> };

const USAGE = `usage: npm run admin -- <command>
  org create <slug> [--name <name>] [--timezone <IANA zone>]
  team create --org <slug> <team-slug> [--name <name>] [--cost-center <code>]
  cost-center create --org <slug> <code> [--name <name>]
  key create --org <slug> --name <name> [--team <slug>] [--scope ingest,read,gateway] [--agent <name>] [--rpm <n>] [--expires <ISO date>]
  key revoke --org <slug> <prefix>
  member add --org <slug> <email> [--role owner|admin|member|viewer]   (default owner; they sign in by magic link)
  budget set --org <slug> --scope <scope> --amount <usd> --period day|week|month|total [--enforce alert|block]
             [--thresholds 50,80,100] [--recipients a@x,b@y] [--webhook <url>] [--name <name>] [--no-forecast]
             (creates; with --id <budget id> changes only the flags given; prints the budget id last)
             scope: org | team:<slug> | cost_center:<code> | key:<prefix> | agent:<name> | user:<id> | model:<id>
                    | task:* | task:<id> | execution:* | execution:<id>
  budget list --org <slug>
  budget archive --org <slug> <budget id>
  price add --org <slug> --model <name> --input <usd per 1M> --output <usd per 1M> [--cache-read <usd per 1M>]
            [--cache-write <usd per 1M>] [--provider <name>] [--from <YYYY-MM-DD | ISO instant>]   (default from: now)
  credential set --org <slug> --provider openai|anthropic --key <upstream API key> | - [--base-url <url>]
             (the gateway's upstream key for the org, stored encrypted; never printed. --key - reads it from
              standard input, out of the process list: printf %s "$KEY" | npm run admin -- credential set … --key -.
              Default base URL: https://api.openai.com/v1, https://api.anthropic.com)
  credential reencrypt [--org <slug>]
             (rotation: seals every stored credential with BURNRATE_CREDENTIALS_KEY, reading each with it or
              with BURNRATE_CREDENTIALS_KEY_PREVIOUS; exits 1 if a credential neither key opens)
  execution resume --org <slug> <execution id> [--note <why>] [--limit <usd>]
             (a blocked execution runs again; its open anomalies are resolved; audit-logged;
              --limit: its new per-execution limit, above what it has spent)
  reprice --org <slug> --model <name> --from <YYYY-MM-DD | ISO instant> --to <YYYY-MM-DD | ISO instant>
             (a day is the org's day; --to a day includes it. Client-reported costs are never changed.)`;

class UsageError extends Error {}

// Returns the exit code. The new key's secret is printed once, alone, on the last line of stdout.
export async function runAdmin(argv: string[], io: TIo): Promise<number> {
  // "reprice" is a command of one word; the others are "<noun> <verb>".
  const [noun, verb, ...rest] = argv[0] === "reprice" ? ["reprice", "", ...argv.slice(1)] : argv;
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
        id: { type: "string" },
        amount: { type: "string" },
        period: { type: "string" },
        enforce: { type: "string" },
        thresholds: { type: "string" },
        recipients: { type: "string" },
        webhook: { type: "string" },
        forecast: { type: "boolean" },
        "no-forecast": { type: "boolean" },
        model: { type: "string" },
        input: { type: "string" },
        output: { type: "string" },
        "cache-read": { type: "string" },
        "cache-write": { type: "string" },
        provider: { type: "string" },
        from: { type: "string" },
        to: { type: "string" },
        note: { type: "string" },
        limit: { type: "string" },
        key: { type: "string" },
        "base-url": { type: "string" },
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
      case "budget set": {
        const org = await requireOrg(values.org);
        if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
        if (values.forecast && values["no-forecast"]) throw new UsageError("--forecast and --no-forecast contradict each other");
        const fields = {
          ...(values.scope !== undefined ? await resolveBudgetScope(org.id, values.scope) : {}),
          ...(values.amount !== undefined ? { amountUsd: values.amount } : {}),
          ...(values.period !== undefined ? { period: oneOf(values.period, "--period", ["day", "week", "month", "total"] as const).toUpperCase() as "DAY" } : {}),
          ...(values.enforce !== undefined ? { enforcement: oneOf(values.enforce, "--enforce", ["alert", "block"] as const).toUpperCase() as "ALERT" } : {}),
          ...(values.thresholds !== undefined ? { thresholds: values.thresholds } : {}),
          ...(values.recipients !== undefined ? { recipients: values.recipients } : {}),
          ...(values.webhook !== undefined ? { webhookUrl: values.webhook } : {}),
          ...(values.name !== undefined ? { name: values.name } : {}),
          ...(values["no-forecast"] ? { forecastAlerts: false } : values.forecast ? { forecastAlerts: true } : {}),
        };
        let id: string;
        if (values.id && Object.keys(fields).length === 0) throw new UsageError("budget set --id needs at least one flag to change");
        if (values.id) {
          id = (await changeBudget(org.id, null, values.id, fields)).id;
        } else {
          const { scope, amountUsd, period } = fields;
          if (!scope || amountUsd === undefined || !period) throw new UsageError("budget set needs --scope, --amount and --period (or --id <budget id> to change one)");
          id = (await createBudgetFromForm(org.id, null, { ...fields, scope, amountUsd, period })).id;
        }
        const budget = (await budgetsOverview(org.id)).active.find((b) => b.id === id);
        if (budget) io.out(`${values.id ? "changed" : "created"} budget "${budget.name}": ${describeBudget(budget)}`);
        io.out(id);
        return 0;
      }
      case "budget list": {
        const org = await requireOrg(values.org);
        if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
        const page = await budgetsOverview(org.id);
        if (page.active.length === 0) io.out(`no budgets in org ${org.slug}`);
        else for (const line of budgetTable(page.active)) io.out(line);
        for (const b of page.active) {
          if (b.unpricedCalls > 0) io.out(`note: "${b.name}" counted ${b.unpricedCalls} unpriced ${b.unpricedCalls === 1 ? "call" : "calls"} at $0 this period`);
        }
        if (page.archived.length) io.out(`(${page.archived.length} archived, not listed)`);
        return 0;
      }
      case "budget archive": {
        const org = await requireOrg(values.org);
        const id = one(positionals, "budget id");
        await archiveBudget(org.id, null, id);
        io.out(`archived budget ${id}`);
        return 0;
      }
      case "price add": {
        const org = await requireOrg(values.org);
        if (!values.model || !values.input || !values.output) throw new UsageError("price add needs --model, --input and --output");
        const price = await addModelPrice(org.id, null, {
          model: values.model,
          provider: values.provider ?? null,
          effectiveFrom: values.from ?? new Date().toISOString(),
          inputMtok: values.input,
          outputMtok: values.output,
          cacheReadMtok: values["cache-read"] ?? null,
          cacheWriteMtok: values["cache-write"] ?? null,
        });
        io.out(`added a price for ${price.model}${price.provider ? ` (${price.provider})` : ""} from ${price.effectiveFrom}: $${price.inputMtok} input, $${price.outputMtok} output per 1M tokens`);
        io.out("calls already stored keep their cost until repriced (npm run admin -- reprice …)");
        return 0;
      }
      case "credential set": {
        const org = await requireOrg(values.org);
        if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
        const provider = values.provider ?? "";
        if (!isGatewayProvider(provider)) throw new UsageError("--provider is one of openai, anthropic");
        if (!values.key) throw new UsageError("--key <upstream API key> (or - to read it from standard input) is required");
        let key = values.key;
        if (key === "-") {
          if (!io.stdin) throw new UsageError("--key -: standard input is a terminal; pipe the key in (printf %s \"$KEY\" | …, or < keyfile)");
          io.err("reading the key from standard input…");
          key = (await io.stdin()).trim();
          if (!key) throw new UsageError("--key -: standard input was empty; pipe the key in");
        }
        await setProviderCredential(org.id, provider, key, values["base-url"] ?? null);
        io.out(`set the ${provider} credential of ${org.slug} (upstream ${values["base-url"] ?? DEFAULT_BASE_URLS[provider]}); the key is stored encrypted and not shown`);
        return 0;
      }
      case "credential reencrypt": {
        const org = values.org !== undefined ? await requireOrg(values.org) : null;
        if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
        const r = await reencryptCredentials({ orgId: org?.id });
        io.out(`re-encrypted ${r.reencrypted} credential(s) with the current key; ${r.alreadyCurrent} already were`);
        if (r.changedMeanwhile) io.err(`${r.changedMeanwhile} credential(s) were set again while this ran and were left as set; run this again to check them`);
        if (r.unreadable.length) {
          const orgs = await prisma().organization.findMany({ where: { id: { in: r.unreadable.map((u) => u.orgId) } }, select: { id: true, slug: true } });
          const slugOf = new Map(orgs.map((o) => [o.id, o.slug]));
          const tried = r.previousKeySet ? "either key" : "BURNRATE_CREDENTIALS_KEY (BURNRATE_CREDENTIALS_KEY_PREVIOUS is not set)";
          for (const u of r.unreadable) io.err(`cannot decrypt the ${u.provider} credential of ${slugOf.get(u.orgId) ?? u.orgId} with ${tried}; set it again (credential set)`);
        }
        return r.unreadable.length || r.changedMeanwhile ? 1 : 0;
      }
      case "execution resume": {
        const org = await requireOrg(values.org);
        const id = one(positionals, "execution id");
        const r = await resumeExecution(org.id, null, id, values.note ?? null, { limitUsd: values.limit ?? null });
        const limit = r.limitUsd ? `; its limit is now $${r.limitUsd}` : "";
        io.out(r.resumed ? `resumed ${id} (was: ${r.previousReason ?? "blocked"}); ${r.resolvedAnomalies} anomalies resolved${limit}` : `${id} is not blocked; nothing to resume`);
        return 0;
      }
      case "reprice": {
        const org = await requireOrg(values.org);
        if (!values.model || !values.from || !values.to) throw new UsageError("reprice needs --model, --from and --to");
        const s = await repriceModel(org.id, null, { model: values.model, from: values.from, to: values.to });
        io.out(`repriced ${s.eventsRepriced} of ${s.eventsConsidered} calls of ${s.model} in [${s.from}, ${s.to})`);
        io.out(`total ${displayUsd(s.oldTotalUsd)} -> ${displayUsd(s.newTotalUsd)} (change ${s.deltaUsd} USD exactly); unpriced calls ${s.unpricedBefore} -> ${s.unpricedAfter}`);
        io.out(`${s.reportedUntouched} client-reported calls left as sent; updated ${s.executionsUpdated} executions, ${s.rollupsUpdated} hourly rollups, ${s.countersUpdated} budget counters; ${s.alerts} budget alerts sent`);
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
  for (const s of scopes) if (!(KEY_SCOPES as readonly string[]).includes(s)) throw new UsageError(`unknown scope '${s}' (${KEY_SCOPES.join(", ")})`);
  if (scopes.length === 0) throw new UsageError("--scope needs at least one scope");
  return [...new Set(scopes)] as TKeyScope[];
}

function oneOf<const T extends readonly string[]>(value: string, flag: string, choices: T): T[number] {
  const v = value.trim().toLowerCase();
  if (!(choices as readonly string[]).includes(v)) throw new UsageError(`${flag} is one of ${choices.join(", ")}`);
  return v as T[number];
}

// --scope as an operator writes it, to what a budget stores: a team's, cost center's or key's id
// (looked up by slug, code, prefix), a name, "*" or one task / execution id.
async function resolveBudgetScope(orgId: string, raw: string): Promise<{ scope: TBudgetOverview["target"]["scope"]; scopeValue: string }> {
  if (raw.trim() === "org") return { scope: "ORG", scopeValue: "" };
  const match = /^(team|cost_center|key|agent|user|model|task|execution):(.+)$/.exec(raw.trim());
  if (!match) throw new UsageError(`--scope '${raw}' is not one of org, team:<slug>, cost_center:<code>, key:<prefix>, agent:<name>, user:<id>, model:<id>, task:*|<id>, execution:*|<id>`);
  const [, kind, value] = match;
  switch (kind) {
    case "team": {
      const team = await prisma().team.findUnique({ where: { orgId_slug: { orgId, slug: value } } });
      if (!team) throw notFound(`no team '${value}'`);
      return { scope: "TEAM", scopeValue: team.id };
    }
    case "cost_center":
      return { scope: "COST_CENTER", scopeValue: (await requireCostCenter(orgId, value)).id };
    case "key": {
      const key = await prisma().virtualKey.findFirst({ where: { orgId, prefix: value }, orderBy: [{ revokedAt: { sort: "desc", nulls: "first" } }, { createdAt: "desc" }] });
      if (!key) throw notFound(`no key with prefix '${value}'`);
      return { scope: "KEY", scopeValue: key.id };
    }
    default:
      return { scope: kind.toUpperCase() as "AGENT", scopeValue: value };
  }
}

const PERIOD_WORD = { DAY: "daily", WEEK: "weekly", MONTH: "monthly", TOTAL: "in total" } as const;

// "team:platform, $10.00 monthly, alerts at 50/80/100%, blocks at 100%; $5.50 spent (55%, warning)"
function describeBudget(b: TBudgetOverview): string {
  const each = b.target.perItem ? " each" : "";
  const enforcement = b.enforcement === "BLOCK" ? ", blocks at 100%" : "";
  const items = b.items && (b.items.withCalls ? `${b.items.withCalls} ${b.target.scope.toLowerCase()}s this period, the top at ${b.percent}%` : `no ${b.target.scope.toLowerCase()} yet this period`);
  const spent = items || `${displayUsd(b.spentUsd)} spent (${b.percent}%`;
  return `${b.target.ref}, ${displayUsd(b.amountUsd)}${each} ${PERIOD_WORD[b.period]}, alerts at ${b.thresholds.join("/")}%${enforcement}; ${spent}${b.items ? ` (${b.state})` : `, ${b.state})`}`;
}

// A table a person reads in a terminal: one budget a line, columns padded to the widest cell.
function budgetTable(budgets: TBudgetOverview[]): string[] {
  const rows = [
    ["ID", "NAME", "SCOPE", "PERIOD", "SPENT / LIMIT", "%", "STATE", "ENFORCE"],
    ...budgets.map((b) => [
      b.id,
      b.name.length > 40 ? `${b.name.slice(0, 39)}…` : b.name,
      b.target.ref,
      b.period.toLowerCase(),
      b.items ? `${displayUsd(b.items.top[0]?.spentUsd ?? "0")} / ${displayUsd(b.amountUsd)} each` : `${displayUsd(b.spentUsd)} / ${displayUsd(b.amountUsd)}`,
      b.percent.toFixed(1),
      b.state,
      b.enforcement.toLowerCase(),
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === 5 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join("  ").trimEnd());
}
