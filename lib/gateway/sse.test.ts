import { expect, test } from "vitest";
import { SseSplitter, type TSseEvent } from "./sse";

function splitAll(splitter: SseSplitter, bytes: Buffer, step: number): TSseEvent[] {
  const events: TSseEvent[] = [];
  for (let i = 0; i < bytes.length; i += step) events.push(...splitter.push(bytes.subarray(i, i + step)));
  const rest = splitter.flush();
  return rest ? [...events, rest] : events;
}

test("events split anywhere — CRLF, LF and CR separators across chunks, comments, multi-line data — come out whole and unchanged", () => {
  const text = ': ping\r\n\r\nevent: message_start\r\ndata: {"type":"message_start",\r\ndata: "x":1}\r\n\r\ndata: a\n\ndata: b\r\rdata: [DONE]\r\n\r\n';
  for (const step of [1, 2, 3, 5, 7, 1000]) {
    const events = splitAll(new SseSplitter(), Buffer.from(text), step);
    expect(events.map((e) => e.raw).join(""), `step ${step}`).toBe(text);
    expect(events.map((e) => [e.event, e.data])).toEqual([
      [null, ""],
      ["message_start", '{"type":"message_start",\n"x":1}'],
      [null, "a"],
      [null, "b"],
      [null, "[DONE]"],
    ]);
  }
});

test("a big event in small chunks is split in linear time (each chunk searched from where the last search stopped)", () => {
  const payload = Buffer.from(`data: {"x":"${"a".repeat(8 * 1024 * 1024)}"}\n\ndata: [DONE]\n\n`);
  const started = performance.now();
  const events = splitAll(new SseSplitter(), payload, 16 * 1024);
  const ms = performance.now() - started;
  expect(events).toHaveLength(2);
  expect(events[0].data.length).toBe(8 * 1024 * 1024 + 8);
  // Searching the whole growing buffer on each of the 512 chunks took over a second.
  expect(ms).toBeLessThan(300);
});

test("an incomplete event over the limit overflows; the events before it are still returned", () => {
  const splitter = new SseSplitter(100);
  expect(splitter.push(Buffer.from(`data: 1\n\ndata: ${"x".repeat(60)}`)).map((e) => e.data)).toEqual(["1"]);
  expect(splitter.overflowed).toBe(false);
  expect(splitter.push(Buffer.from("x".repeat(60)))).toEqual([]);
  expect(splitter.overflowed).toBe(true);
});
