import { splitUrls } from "@/lib/email/format";

// The plain-text body with every http(s) URL as a real link, opened in this tab (the e2e test
// follows the sign-in link from here).
export function LinkifiedText({ text }: { text: string }) {
  return (
    <pre data-testid="mailbox-text" className="overflow-x-auto whitespace-pre-wrap break-words p-4 font-mono text-xs leading-relaxed text-slate-800">
      {splitUrls(text).map((part, i) =>
        part.kind === "url" ? (
          <a key={i} href={part.value} data-testid="mailbox-link" className="break-all text-orange-700 underline underline-offset-2 hover:text-orange-800">
            {part.value}
          </a>
        ) : (
          <span key={i}>{part.value}</span>
        ),
      )}
    </pre>
  );
}
