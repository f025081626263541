"use client";

import { useRef, useState } from "react";

// A snippet to paste elsewhere: scrolls sideways inside itself (never the page), one click copies
// it; where the clipboard is not available the text is selected for Ctrl/Cmd+C instead.
export function CodeBlock({ id, title, text }: { id: string; title: string; text: string }) {
  const pre = useRef<HTMLPreElement>(null);
  const [state, setState] = useState<"idle" | "copied" | "selected">("idle");

  const select = () => {
    const node = pre.current;
    const selection = window.getSelection();
    if (!node || !selection) return;
    const range = document.createRange();
    range.selectNodeContents(node);
    selection.removeAllRanges();
    selection.addRange(range);
  };

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      select();
      setState("selected");
    }
    window.setTimeout(() => setState("idle"), 2500);
  };

  return (
    <figure className="min-w-0 overflow-hidden rounded-md border border-slate-200 dark:border-slate-700">
      <figcaption className="flex items-center justify-between gap-2 border-b border-slate-200 bg-slate-50 px-3 py-1.5 text-xs text-slate-600 dark:border-slate-700 dark:bg-slate-800 dark:text-slate-300">
        <span className="min-w-0 truncate font-mono">{title}</span>
        <button
          type="button"
          onClick={() => void copy()}
          data-testid={`copy-${id}`}
          aria-label={`Copy ${title}`}
          className="shrink-0 rounded border border-slate-300 bg-white px-2 py-0.5 font-sans text-xs font-medium text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-orange-500 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-200 dark:hover:bg-slate-700"
        >
          {state === "copied" ? "Copied" : state === "selected" ? "Selected — press Ctrl+C" : "Copy"}
        </button>
      </figcaption>
      <pre
        ref={pre}
        data-testid={`snippet-${id}`}
        className="overflow-x-auto bg-slate-900 p-3 font-mono text-xs leading-relaxed text-slate-100 select-text dark:bg-black/60"
      >
        {text}
      </pre>
    </figure>
  );
}
