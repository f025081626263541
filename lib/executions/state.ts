// One definition of an execution's state, for the API and every page (docs/architecture.md):
//   running  — calls are arriving
//   idle     — still open, but no call for EXECUTION_IDLE_MINUTES (agents rarely say they stopped)
//   done / failed — the client ended it (POST /api/v1/executions/{id}/end, or execution_status on an event)
//   blocked  — stopped by a BLOCK budget or the circuit breaker until a person resumes it
// Only running / done / failed / blocked are stored; idle is derived from the last call's time.
export const EXECUTION_STATES = ["running", "idle", "done", "failed", "blocked"] as const;
export type TExecutionState = (typeof EXECUTION_STATES)[number];

export type TStoredExecutionStatus = "RUNNING" | "DONE" | "FAILED" | "BLOCKED";

export function executionState(stored: TStoredExecutionStatus | string, lastSeenAt: Date, now: Date, idleAfterMinutes: number): TExecutionState {
  switch (stored) {
    case "DONE":
      return "done";
    case "FAILED":
      return "failed";
    case "BLOCKED":
      return "blocked";
    default:
      return now.getTime() - lastSeenAt.getTime() > idleAfterMinutes * 60_000 ? "idle" : "running";
  }
}
