"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

// Re-reads the page's server data every `seconds` without a reload (router.refresh keeps client
// state and scroll), and not while the tab is hidden — a dashboard left open in a background tab
// costs no queries. Coming back to the tab refreshes at once.
export function AutoRefresh({ seconds = 10, renderedAt, timezone }: { seconds?: number; renderedAt: string; timezone: string }) {
  const router = useRouter();
  const [paused, setPaused] = useState(false);
  useEffect(() => {
    if (paused) return;
    const tick = () => {
      if (document.visibilityState === "visible") router.refresh();
    };
    const timer = window.setInterval(tick, seconds * 1000);
    const onVisible = () => {
      if (document.visibilityState === "visible") router.refresh();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [router, seconds, paused]);
  // Formatted in the org's zone (as the server would), so hydration matches.
  const at = new Intl.DateTimeFormat("en-US", { timeZone: timezone, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }).format(new Date(renderedAt));
  return (
    <span className="inline-flex items-center gap-2 text-xs text-slate-500 dark:text-slate-400">
      <span className={`inline-block h-2 w-2 rounded-full ${paused ? "bg-slate-400" : "animate-pulse bg-emerald-500"}`} aria-hidden />
      <span data-testid="refreshed-at">
        {paused ? "Paused" : `Live, every ${seconds} s`} · as of <time dateTime={renderedAt}>{at}</time>
      </span>
      <button type="button" onClick={() => setPaused((p) => !p)} className="rounded border border-slate-300 px-1.5 py-0.5 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-orange-500 dark:border-slate-600 dark:hover:bg-slate-800">
        {paused ? "Resume" : "Pause"}
      </button>
    </span>
  );
}
