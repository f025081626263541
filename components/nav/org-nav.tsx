"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";

const LINKS = [
  ["overview", "Overview"],
  ["executions", "Executions"],
  ["anomalies", "Anomalies"],
  ["budgets", "Budgets"],
  ["keys", "Keys"],
  ["integrations", "Integrations"],
  ["teams", "Teams"],
  ["cost-centers", "Cost centers"],
  ["models", "Models"],
  ["alerts", "Alerts"],
  ["members", "Members"],
  ["audit", "Audit log"],
  ["settings", "Settings"],
] as const;

export function OrgNav(props: {
  current: { slug: string; name: string };
  orgs: { slug: string; name: string }[];
  role: string;
  userEmail: string;
  signOut: () => Promise<unknown>;
}) {
  const pathname = usePathname();
  const router = useRouter();
  return (
    <header className="border-b border-slate-200 bg-white text-slate-900 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-100">
      {/* The links have a row of their own (scrolling sideways on a phone, wrapping on a narrow
          desktop): thirteen of them beside the org switcher and the account do not fit one line of
          the 6xl container; at lg they are packed tighter so the row fits in one line. */}
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3 sm:px-6">
        <Link href={`/${props.current.slug}/overview`} className="whitespace-nowrap text-lg font-semibold tracking-tight text-slate-900 dark:text-slate-50">
          <span className="text-orange-600 dark:text-orange-500">●</span> Burnrate
        </Link>
        <label className="sr-only" htmlFor="org-switcher">Organization</label>
        <select
          id="org-switcher"
          aria-label="Switch organization"
          className="min-w-0 max-w-[10rem] rounded-md border border-slate-200 bg-slate-50 px-2 py-1 text-sm text-slate-900 sm:max-w-none dark:border-slate-700 dark:bg-slate-800 dark:text-slate-100"
          value={props.current.slug}
          onChange={(e) => (e.target.value === "__new" ? router.push("/onboarding") : router.push(`/${e.target.value}/overview`))}
        >
          {props.orgs.map((o) => (
            <option key={o.slug} value={o.slug}>{o.name}</option>
          ))}
          <option value="__new">+ New organization</option>
        </select>
        <nav aria-label="Main" className="order-last -mx-1 flex w-full gap-0.5 overflow-x-auto text-sm md:flex-wrap md:overflow-visible">
          {LINKS.map(([path, label]) => {
            const href = `/${props.current.slug}/${path}`;
            const active = pathname.startsWith(href);
            return (
              <Link key={path} href={href} className={`whitespace-nowrap rounded-md px-3 py-1.5 lg:px-2 focus-visible:outline-2 focus-visible:outline-orange-500 ${active ? "bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900" : "text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"}`}>
                {label}
              </Link>
            );
          })}
        </nav>
        <div className="ml-auto flex items-center gap-3 text-sm text-slate-600 dark:text-slate-300">
          <span title={`${props.userEmail} — your role: ${props.role.toLowerCase()}`} className="max-w-[10rem] truncate whitespace-nowrap">
            <span className="hidden sm:inline">{props.userEmail} · </span>
            <span data-testid="my-role">{props.role.toLowerCase()}</span>
          </span>
          <form action={() => void props.signOut()}>
            <button className="whitespace-nowrap rounded-md border border-slate-200 px-2 py-1 hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800">Sign out</button>
          </form>
        </div>
      </div>
    </header>
  );
}
