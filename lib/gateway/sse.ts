// Server-sent events as the providers stream them: split into whole events, each kept as the exact
// text that arrived (relayed to the client unchanged) with its `event` name and `data` read out.
export type TSseEvent = { raw: string; event: string | null; data: string };

// One event's most buffered text before it is complete (a stream of a huge event, or no blank line
// ever): past it the caller gives the stream up (overflowed) rather than the memory.
export const MAX_SSE_EVENT_CHARS = 16 * 1024 * 1024;

const BOUNDARY = /\r\n\r\n|\n\n|\r\r/g;
// The longest separator, less one: how much of the text before a chunk a boundary can start in.
const OVERLAP = 3;

export class SseSplitter {
  // The incomplete event so far, as the chunks' texts: joined only once it completes, so a big
  // event arriving in many chunks costs linear time (a growing string searched on every chunk,
  // flattened each time, was quadratic).
  private parts: string[] = [];
  private pendingChars = 0;
  private readonly decoder = new TextDecoder("utf-8");

  constructor(private readonly maxEventChars = MAX_SSE_EVENT_CHARS) {}

  push(chunk: Uint8Array): TSseEvent[] {
    const text = this.decoder.decode(chunk, { stream: true });
    if (!text) return [];
    // Only the new text is searched, with the last characters before it: the pending text holds no
    // boundary, so one can only end in the new text.
    const tail = this.tail();
    const haystack = tail + text;
    const events: TSseEvent[] = [];
    let taken = 0; // characters of `text` already in events
    BOUNDARY.lastIndex = 0;
    for (let match = BOUNDARY.exec(haystack); match; match = BOUNDARY.exec(haystack)) {
      const end = match.index + match[0].length - tail.length;
      const head = events.length === 0 ? this.parts.join("") : "";
      events.push(parseEvent(head + text.slice(taken, end)));
      taken = end;
    }
    if (events.length) {
      this.parts = [];
      this.pendingChars = 0;
    }
    const rest = text.slice(taken);
    if (rest) {
      this.parts.push(rest);
      this.pendingChars += rest.length;
    }
    return events;
  }

  // True once the incomplete event buffered is over the limit.
  get overflowed(): boolean {
    return this.pendingChars > this.maxEventChars;
  }

  // What is left when the stream ends (an event without its blank line), if anything.
  flush(): TSseEvent | null {
    const rest = this.parts.join("") + this.decoder.decode();
    this.parts = [];
    this.pendingChars = 0;
    return rest.trim() ? parseEvent(rest) : null;
  }

  // The last OVERLAP characters of the pending text.
  private tail(): string {
    let tail = "";
    for (let i = this.parts.length - 1; i >= 0 && tail.length < OVERLAP; i--) tail = this.parts[i] + tail;
    return tail.slice(-OVERLAP);
  }
}

function parseEvent(raw: string): TSseEvent {
  let event: string | null = null;
  const data: string[] = [];
  for (const line of raw.split(/\r\n|\r|\n/)) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const name = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (name === "event") event = value;
    else if (name === "data") data.push(value);
  }
  return { raw, event, data: data.join("\n") };
}

// The event's data as JSON, or null when it is not (OpenAI's "[DONE]", a comment-only event).
export function sseJson(event: TSseEvent): Record<string, unknown> | null {
  if (!event.data || event.data === "[DONE]") return null;
  try {
    const value: unknown = JSON.parse(event.data);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
