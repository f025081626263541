import type { CSSProperties } from "react";
import { Heading, Section, Text } from "@react-email/components";
import { z } from "zod";
import { ANOMALY_KIND_LABEL } from "../../anomalies/describe";
import { ZAnomalyEvent } from "../../anomalies/notice";
import { displayUsd } from "../../money";
import { ActionLink, colors, EmailLayout, styles } from "./layout";

// One anomaly alert to one owner or admin: the anomaly event (lib/anomalies/notice.ts).
export const ZAnomalyAlertEmail = z.strictObject({ event: ZAnomalyEvent });
export type TAnomalyAlertEmailProps = z.infer<typeof ZAnomalyAlertEmail>;

const line: CSSProperties = { fontSize: "14px", lineHeight: "22px", color: colors.text, margin: "0 0 4px" };
const label: CSSProperties = { color: colors.muted };

export const KIND_OF_EVENT = {
  retry_loop: "RETRY_LOOP",
  cost_spike: "COST_SPIKE",
  context_growth: "CONTEXT_GROWTH",
  velocity: "VELOCITY",
  model_misuse: "MODEL_MISUSE",
} as const;

export function anomalySubject(event: z.infer<typeof ZAnomalyEvent>): string {
  const kind = ANOMALY_KIND_LABEL[KIND_OF_EVENT[event.anomaly.kind]];
  const summary = event.anomaly.summary.replace(/\s+/g, " ").trim();
  const text = `${event.anomaly.blocked ? "Blocked — " : ""}${kind}: ${summary}`;
  return text.length > 180 ? `${text.slice(0, 179)}…` : text;
}

export function AnomalyAlertEmail({ event }: TAnomalyAlertEmailProps) {
  const { anomaly } = event;
  const kind = ANOMALY_KIND_LABEL[KIND_OF_EVENT[anomaly.kind]];
  const facts: [string, string][] = [["What", anomaly.summary]];
  if (anomaly.execution_id) facts.push(["Execution", anomaly.execution_id]);
  if (anomaly.agent) facts.push(["Agent", anomaly.agent]);
  facts.push(["Cost", displayUsd(anomaly.cost_usd)]);
  return (
    <EmailLayout preview={anomalySubject(event)}>
      <Heading as="h1" style={styles.heading}>
        {anomaly.blocked ? `${kind}: execution blocked` : `${kind} in ${event.org.name}`}
      </Heading>
      <Text style={styles.paragraph}>
        {anomaly.blocked ? (
          <>
            Burnrate stopped <strong>{anomaly.execution_id}</strong> in <strong>{event.org.name}</strong>: its next budget check answers
            &quot;not allowed&quot; until a person resumes it (or approves more budget).
          </>
        ) : (
          <>
            Burnrate noticed a runaway sign in <strong>{event.org.name}</strong>. Nothing was stopped; look before it grows.
          </>
        )}
      </Text>
      <Section style={{ margin: "0 0 8px" }}>
        {facts.map(([name, value]) => (
          <Text key={name} style={{ ...line, wordBreak: "break-word" }}>
            <span style={label}>{name}:</span> {value}
          </Text>
        ))}
      </Section>
      <Section style={{ height: "12px" }} />
      <ActionLink url={event.dashboard_url} label={anomaly.blocked ? "Review and resume" : "Open in Burnrate"} />
      <Text style={styles.muted}>You get this email as an owner or admin of {event.org.name}. Each anomaly is announced once.</Text>
    </EmailLayout>
  );
}

AnomalyAlertEmail.PreviewProps = {
  event: {
    id: "anomaly_preview",
    type: "anomaly.detected",
    created_at: "2026-11-20T09:30:00.000Z",
    org: { slug: "acme", name: "Acme" },
    anomaly: {
      kind: "retry_loop",
      summary: "run migration-bot-7f (migration-bot): 8 identical calls to claude-sonnet-4-5 failing with rate_limit in 3 min, $4.12",
      execution_id: "migration-bot-7f",
      agent: "migration-bot",
      cost_usd: "4.12",
      blocked: true,
      evidence: {},
    },
    dashboard_url: "http://localhost:3000/acme/executions/migration-bot-7f",
  },
} satisfies TAnomalyAlertEmailProps;
