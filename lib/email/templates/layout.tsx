import type { CSSProperties, ReactNode } from "react";
import { Body, Button, Container, Head, Hr, Html, Link, Preview, Section, Text } from "@react-email/components";

// Shared frame for Burnrate's emails: inline styles only (mail clients drop <style> and classes),
// system fonts, no images — nothing is fetched when the email is opened.
export const colors = {
  text: "#0f172a", // slate-900
  muted: "#64748b", // slate-500
  border: "#e2e8f0", // slate-200
  background: "#f8fafc", // slate-50
  accent: "#ea580c", // orange-600
};

const fontFamily = '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

export const styles = {
  heading: { fontSize: "22px", lineHeight: "30px", fontWeight: 600, color: colors.text, margin: "0 0 16px" },
  paragraph: { fontSize: "15px", lineHeight: "24px", color: colors.text, margin: "0 0 16px" },
  muted: { fontSize: "13px", lineHeight: "20px", color: colors.muted, margin: "0 0 12px" },
  button: {
    backgroundColor: colors.accent,
    borderRadius: "6px",
    color: "#ffffff",
    fontSize: "15px",
    fontWeight: 600,
    textDecoration: "none",
    textAlign: "center",
    display: "inline-block",
    padding: "12px 24px",
  },
  buttonSection: { margin: "8px 0 24px" },
  rawLink: {
    fontSize: "13px",
    lineHeight: "20px",
    color: colors.accent,
    wordBreak: "break-all",
    margin: "0 0 16px",
  },
} satisfies Record<string, CSSProperties>;

export function EmailLayout({ preview, children }: { preview: string; children: ReactNode }) {
  return (
    <Html lang="en">
      <Head />
      <Preview>{preview}</Preview>
      <Body style={{ backgroundColor: colors.background, fontFamily, margin: 0, padding: "24px 0" }}>
        <Container
          style={{
            backgroundColor: "#ffffff",
            border: `1px solid ${colors.border}`,
            borderRadius: "8px",
            maxWidth: "520px",
            margin: "0 auto",
            padding: "32px",
          }}
        >
          <Text style={{ fontSize: "16px", fontWeight: 700, color: colors.accent, margin: "0 0 24px", letterSpacing: "-0.01em" }}>
            Burnrate
          </Text>
          <Section>{children}</Section>
          <Hr style={{ borderColor: colors.border, margin: "24px 0 16px" }} />
          <Text style={{ ...styles.muted, margin: 0 }}>Burnrate · LLM spend and budgets for AI agents</Text>
        </Container>
      </Body>
    </Html>
  );
}

// The call to action of every link email: a button, then the raw link for clients that block buttons.
export function ActionLink({ url, label }: { url: string; label: string }) {
  return (
    <>
      <Section style={styles.buttonSection}>
        <Button href={url} style={styles.button}>
          {label}
        </Button>
      </Section>
      <Text style={styles.muted}>Or copy and paste this link into your browser:</Text>
      <Text style={styles.rawLink}>
        <Link href={url} style={{ color: styles.rawLink.color }}>
          {url}
        </Link>
      </Text>
    </>
  );
}
