import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { AnomalyAlertEmail } from "./anomaly-alert";
import { ApprovalRequestEmail } from "./approval-request";
import { BudgetAlertEmail } from "./budget-alert";
import { InvitationEmail } from "./invitation";
import { MagicLinkEmail } from "./magic-link";
import { EMAIL_TEMPLATES, EmailTemplateError, prepareEmail, renderTemplate, warmEmailTemplates, withoutSecrets } from "./registry";
import { sourceFiles } from "../../testing/source-files";

describe("the email template registry", () => {
  test("every template renders its preview payload after a round trip through JSON (as the outbox stores it)", async () => {
    const previews = {
      "magic-link": [MagicLinkEmail.PreviewProps, MagicLinkEmail.PreviewProps.url],
      invitation: [InvitationEmail.PreviewProps, InvitationEmail.PreviewProps.url],
      "budget-alert": [BudgetAlertEmail.PreviewProps, BudgetAlertEmail.PreviewProps.event.dashboard_url],
      "anomaly-alert": [AnomalyAlertEmail.PreviewProps, AnomalyAlertEmail.PreviewProps.event.dashboard_url],
      "approval-request": [ApprovalRequestEmail.PreviewProps, ApprovalRequestEmail.PreviewProps.denyUrl],
    } as const;
    expect(Object.keys(EMAIL_TEMPLATES).sort()).toEqual(Object.keys(previews).sort());
    for (const [name, [props, link]] of Object.entries(previews)) {
      const stored = JSON.parse(JSON.stringify(props));
      const email = await renderTemplate(name, stored);
      expect(email.html).toMatch(/^<!DOCTYPE html/);
      expect(email.text).toContain(link);
      expect(email.subject.length).toBeGreaterThan(0);
    }
  });

  test("warming renders every template once, from its preview", async () => {
    expect(await warmEmailTemplates()).toBe(Object.keys(EMAIL_TEMPLATES).length);
  });

  test("the invitation's subject, role and expiry come from the stored payload", async () => {
    const { subject, payload } = prepareEmail("invitation", {
      url: "https://burnrate.example/invite/abc",
      orgName: "Acme\n Robotics",
      inviterName: "Grace  Hopper",
      role: "ADMIN",
      expiresAt: new Date("2030-01-08T12:00:00Z"),
    });
    expect(subject).toBe("Grace Hopper invited you to Acme Robotics on Burnrate");
    expect(payload).toMatchObject({ expiresAt: "2030-01-08T12:00:00.000Z" });
    const email = await renderTemplate("invitation", payload);
    expect(email.subject).toBe(subject);
    expect(email.text).toContain("as an Admin");
    expect(email.text).toContain("January 8, 2030");
  });

  test("a payload that does not match its template is refused, naming the field", async () => {
    const error = await renderTemplate("invitation", { url: "https://x.example/i", orgName: "Acme", role: "KING", expiresAt: "soon" }).catch((e) => e);
    expect(error).toBeInstanceOf(EmailTemplateError);
    expect(error.message).toMatch(/inviterName/);
    expect(error.message).toMatch(/role/);
    expect(error.message).toMatch(/expiresAt/);
    await expect(renderTemplate("magic-link", null)).rejects.toBeInstanceOf(EmailTemplateError);
    await expect(renderTemplate("budget-alert-from-the-future", {})).rejects.toThrow(/Unknown email template/);
    // Typed at the call site too: a payload for the wrong template does not compile.
    // @ts-expect-error — an invitation needs orgName, inviterName, role and expiresAt
    expect(() => prepareEmail("invitation", { url: "https://x.example/i", host: "x", expiresInMinutes: 5 })).toThrow();
  });

  test("secret fields (the links) are dropped from a payload that is kept after sending", () => {
    const payload = { url: "https://x.example/api/auth/callback/email?token=t", host: "x.example", expiresInMinutes: 15 };
    expect(withoutSecrets("magic-link", payload)).toEqual({ host: "x.example", expiresInMinutes: 15 });
    expect(payload.url).toContain("token=t");
  });
});

// lib is the domain; components/ is UI that may import lib, never the other way round.
test("nothing under lib/ imports from components/", () => {
  const root = path.resolve(import.meta.dirname, "../../..");
  const offenders: string[] = [];
  for (const file of sourceFiles(path.join(root, "lib"), (f) => /\.(ts|tsx)$/.test(f))) {
    const source = readFileSync(file, "utf8");
    if (/from\s+["'](@\/components\/|(\.\.\/)+components\/)/.test(source)) offenders.push(path.relative(root, file));
  }
  expect(offenders).toEqual([]);
});
