// Server-sent events as the providers stream them: split into whole events, each kept as the exact
// text that arrived (relayed to the client unchanged) with its `event` name and `data` read out.
export type TSseEvent = { raw: string; event: string | null; data: string };

const BOUNDARY = /\r\n\r\n|\n\n|\r\r/;

export class SseSplitter {
  private buffer = "";
  private readonly decoder = new TextDecoder("utf-8");

  push(chunk: Uint8Array): TSseEvent[] {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    const events: TSseEvent[] = [];
    for (let match = BOUNDARY.exec(this.buffer); match; match = BOUNDARY.exec(this.buffer)) {
      const end = match.index + match[0].length;
      events.push(parseEvent(this.buffer.slice(0, end)));
      this.buffer = this.buffer.slice(end);
    }
    return events;
  }

  // What is left when the stream ends (an event without its blank line), if anything.
  flush(): TSseEvent | null {
    this.buffer += this.decoder.decode();
    const rest = this.buffer;
    this.buffer = "";
    return rest.trim() ? parseEvent(rest) : null;
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
