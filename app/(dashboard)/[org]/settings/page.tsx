import type { Metadata } from "next";
import Link from "next/link";
import { alertSettings } from "@/lib/alerts/settings";
import { anomalyDefaultsInWords, anomalySettingsFor } from "@/lib/anomalies/settings-edit";
import { VERIFY_NODE } from "@/lib/alerts/verify-snippets";
import { redactWebhookUrl } from "@/lib/alerts/webhook-target";
import { can } from "@/lib/auth/permissions";
import { requireOrgPage } from "@/lib/auth/session";
import { Card } from "@/components/ui/card";
import { SigningSecret } from "@/components/settings/signing-secret";
import { TestWebhookButton } from "@/components/settings/test-webhook-button";
import { WebhookUrlForm } from "@/components/settings/webhook-url-form";
import { AnomalySettingsForm } from "@/components/anomalies/settings-form";
import { revealWebhookSecret, rotateWebhookSecret, saveAnomalySettings, sendTestWebhook, setAlertWebhook } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org: slug } = await params;
  const access = await requireOrgPage(slug);
  const mayManage = can(access.role, "alerts.manage");
  const [settings, anomalySettings] = await Promise.all([alertSettings(access.org.id), anomalySettingsFor(access.org.id)]);

  return (
    <main className="mx-auto max-w-6xl space-y-6 px-4 py-6 sm:px-6 sm:py-8">
      <header>
        <h1 className="text-2xl font-semibold tracking-tight">Settings</h1>
        <p className="text-sm text-slate-500">
          What counts as a runaway agent and whether it is stopped, where alerts go besides email, and how a receiver checks they came from Burnrate. Owners and admins change these; the{" "}
          <Link href={`/${slug}/alerts`} className="text-orange-700 underline">alerts page</Link> shows every delivery.
        </p>
      </header>

      <div id="runaway-detection" className="scroll-mt-4">
        <Card title="Runaway detection">
          <p className="px-3 pt-3 text-sm text-slate-600 dark:text-slate-300">
            What counts as a runaway agent, and whether the circuit breaker stops its execution (its calls are then refused until someone resumes it on the{" "}
            <Link href={`/${slug}/anomalies`} className="text-orange-700 underline dark:text-orange-400">anomalies page</Link>). Owners and admins are emailed once per anomaly either way.
          </p>
          <AnomalySettingsForm orgSlug={slug} settings={anomalySettings} defaults={anomalyDefaultsInWords()} save={can(access.role, "anomaly.settings") ? saveAnomalySettings : undefined} />
        </Card>
      </div>

      <Card title="Alert webhook">
        {mayManage ? (
          <WebhookUrlForm orgSlug={slug} url={settings.webhookUrl} setWebhook={setAlertWebhook} />
        ) : (
          <p className="p-3 text-sm text-slate-700" data-testid="webhook-url-readonly">
            {settings.webhookUrl ? (
              <>
                Alerts are POSTed to <code className="break-all rounded bg-slate-100 px-1 font-mono text-xs">{redactWebhookUrl(settings.webhookUrl)}</code>
                {settings.slack ? " (Slack)" : ""} unless a budget names its own webhook.
              </>
            ) : (
              "No default webhook: alerts go by email (and to webhooks that budgets name themselves)."
            )}{" "}
            Owners and admins can change this.
          </p>
        )}
      </Card>

      {mayManage && (
        <Card title="Test the webhook">
          <TestWebhookButton orgSlug={slug} disabled={!settings.webhookUrl} sendTest={sendTestWebhook} />
        </Card>
      )}

      <Card title="Signing secret">
        <div className="space-y-2 px-3 pt-3 text-sm text-slate-600">
          <p>
            Every webhook carries <code className="rounded bg-slate-100 px-1 text-xs">Burnrate-Signature: t=…,v1=…</code>: the HMAC-SHA256 of{" "}
            <code className="rounded bg-slate-100 px-1 text-xs">&lt;t&gt;.&lt;raw body&gt;</code> under this secret. Check it, and that t is recent,
            before trusting a request; drop repeats by <code className="rounded bg-slate-100 px-1 text-xs">Burnrate-Delivery</code>. Slack URLs get no
            signature.
          </p>
          <details className="rounded-md border border-slate-200 bg-slate-50">
            <summary className="cursor-pointer px-3 py-1.5 text-sm text-slate-700">Verify in Node</summary>
            <pre className="overflow-x-auto px-3 pb-3 text-xs leading-5 text-slate-800">{VERIFY_NODE}</pre>
          </details>
        </div>
        {mayManage ? (
          <SigningSecret orgSlug={slug} reveal={revealWebhookSecret} rotate={rotateWebhookSecret} />
        ) : (
          <p className="p-3 text-sm text-slate-500">Only owners and admins can see the secret.</p>
        )}
      </Card>
    </main>
  );
}
