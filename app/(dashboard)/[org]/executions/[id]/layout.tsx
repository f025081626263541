import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { requireOrgPage } from "@/lib/auth/session";
import { resolveExecutionId } from "@/lib/executions/timeline";

// The existence check lives here, above this segment's loading.tsx: once a loading boundary has
// streamed, notFound() can no longer change the status, and another org's (or no) execution must
// be a real 404 — the same answer whether it exists elsewhere or nowhere.
export default async function ExecutionLayout({ children, params }: { children: ReactNode; params: Promise<{ org: string; id: string }> }) {
  const { org: slug, id } = await params;
  const { org } = await requireOrgPage(slug);
  if (!(await resolveExecutionId(org.id, id))) notFound();
  return children;
}
