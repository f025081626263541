import { env } from "../env";
import { detectExecutionAnomalies, type TDetectTarget, type TExecutionFinding } from "./detect";
import { executionSubject, recordFindings, type TFinding, type TRecorded } from "./record";

// Detection for the executions one ingest write touched, after it committed and before its posts
// are answered: the answer that completes a loop already says "blocked". Most writes find nothing
// and cost one read-only statement.
export async function detectAfterWrite(executions: readonly TDetectTarget[]): Promise<TRecorded> {
  if (env().ANOMALY_DETECTION === "off" || executions.length === 0) return { opened: 0, blocked: new Map() };
  const found = await detectExecutionAnomalies(executions);
  return recordFindings(found.map(toFinding));
}

export function toFinding(f: TExecutionFinding): TFinding {
  return {
    orgId: f.orgId,
    kind: f.kind,
    subject: executionSubject(f.executionId),
    executionId: f.executionId,
    agent: f.agent,
    costUsd: f.costUsd,
    block: f.block,
    evidence: f.evidence as unknown as Record<string, unknown>,
  };
}
