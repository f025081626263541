"use client";

import { useEffect } from "react";

// Brings the element with this id into view once, after the page loads (an alert email's link names
// one budget: /<org>/budgets?budget=<id>).
export function ScrollIntoView({ id }: { id: string }) {
  useEffect(() => {
    document.getElementById(id)?.scrollIntoView({ block: "center" });
  }, [id]);
  return null;
}
