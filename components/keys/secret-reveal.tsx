"use client";

import { useState } from "react";

// The one time a secret is visible. After this panel is dismissed it is gone for good.
export function SecretReveal({ secret, onDone }: { secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="rounded-md border border-amber-300 bg-amber-50 p-4" data-testid="secret-reveal">
      <p className="text-sm font-semibold text-amber-900">Copy this key now — it will not be shown again.</p>
      <div className="mt-2 flex items-center gap-2">
        <code data-testid="new-key-secret" className="flex-1 select-all break-all rounded bg-white px-2 py-1.5 font-mono text-sm">
          {secret}
        </code>
        <button
          type="button"
          className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700"
          onClick={async () => {
            await navigator.clipboard?.writeText(secret).catch(() => undefined);
            setCopied(true);
          }}
        >
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
      <button type="button" onClick={onDone} className="mt-3 text-sm text-amber-900 underline">
        I have stored it safely
      </button>
    </div>
  );
}
