// Seeded randomness: the demo data is the same on every run.

// ───────────────────────── PRNG ─────────────────────────

export type TRng = () => number;
export type TRange = readonly [number, number];

export function mulberry32(seed: number): TRng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const int = (rng: TRng, [min, max]: TRange) => min + Math.floor(rng() * (max - min + 1));
export const pick = <T>(rng: TRng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];
export const hex = (rng: TRng, n: number) => Array.from({ length: n }, () => Math.floor(rng() * 16).toString(16)).join("");

export function weighted<T>(rng: TRng, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let r = rng() * total;
  for (const [item, w] of items) {
    r -= w;
    if (r < 0) return item;
  }
  return items[items.length - 1][0];
}
