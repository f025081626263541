import type { ReactNode } from "react";

// The hint sits outside the <label> so a control's accessible name is just its label.
export function Field({ label, hint, error, children }: { label: string; hint?: string; error?: string; children: ReactNode }) {
  return (
    <div className="text-sm">
      <label className="block">
        <span className="font-medium text-slate-700 dark:text-slate-200">{label}</span>
        <div className="mt-1">{children}</div>
      </label>
      {error ? <span className="mt-1 block text-xs text-rose-600 dark:text-rose-400">{error}</span> : hint ? <span className="mt-1 block text-xs text-slate-500 dark:text-slate-400">{hint}</span> : null}
    </div>
  );
}

export const inputClass =
  "w-full rounded-md border border-slate-300 bg-white text-slate-900 px-3 py-1.5 text-sm shadow-sm focus:border-orange-500 focus:outline-none focus:ring-1 focus:ring-orange-500 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100";

export function Button({ children, variant = "primary", ...props }: React.ButtonHTMLAttributes<HTMLButtonElement> & { variant?: "primary" | "secondary" | "danger" }) {
  const style = {
    primary: "bg-slate-900 text-white hover:bg-slate-700 dark:bg-slate-100 dark:text-slate-900 dark:hover:bg-white",
    secondary: "border border-slate-300 bg-white text-slate-700 hover:bg-slate-50 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-200 dark:hover:bg-slate-800",
    danger: "border border-rose-200 bg-white text-rose-700 hover:bg-rose-50 dark:border-rose-900 dark:bg-slate-900 dark:text-rose-300 dark:hover:bg-rose-950",
  }[variant];
  return (
    <button {...props} className={`rounded-md px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-orange-500 disabled:opacity-50 ${style} ${props.className ?? ""}`}>
      {children}
    </button>
  );
}

export function ErrorMessage({ error }: { error?: { message: string; details?: { path: string; message: string }[] } | null }) {
  if (!error) return null;
  return (
    <div role="alert" className="rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-700 dark:border-rose-900 dark:bg-rose-950 dark:text-rose-200">
      {error.message}
      {error.details?.length ? (
        <ul className="mt-1 list-disc pl-5">
          {error.details.map((d) => (
            <li key={d.path + d.message}>{d.path ? `${d.path}: ` : ""}{d.message}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
