// Shared by every part of the ingest bench: the progress logger's shape and number formatting.
export type TLog = (line: string) => void;

export const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }) : "n/a";
