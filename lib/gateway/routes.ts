import { z } from "zod";
import { withApiKey } from "../api/with-api-key";
import { ANTHROPIC_MESSAGES } from "./anthropic-messages";
import { ZOpenAIChatRequest, OPENAI_CHAT } from "./openai-chat";
import { sendAnthropicError, sendOpenAIError, ZAnthropicError, ZOpenAIError } from "./provider-errors";
import { relayCall, ZGatewayRequest } from "./relay";

// The LLM gateway (docs/api.md): the official SDKs pointed at these with a virtual key as their API
// key. Errors answer in each provider's own shape.

const GATEWAY_ERRORS = {
  429: "A BLOCK budget that applies is used up or the execution is blocked (not retried by the SDKs), or the key's rpm limit",
  502: "The provider refused the organization's upstream credential (its 401 / 403; not retried by the SDKs)",
  503: "The upstream provider could not be reached; or this server cannot use the org's credential (BURNRATE_CREDENTIALS_KEY unset in production, or neither it nor BURNRATE_CREDENTIALS_KEY_PREVIOUS the key it was sealed with: x-should-retry: false)",
};
const UPSTREAM_NOTE =
  "Forwarded with the org's upstream credential; the answer (JSON or server-sent events), and an upstream error, are relayed as the provider sent them (but its 401 / 403, the org's credential refused, is a 502). The call is recorded as one usage event with its exact cost. Attribution: the key's, plus the headers x-burnrate-execution-id, -task, -agent, -user, -repository, -pull-request (not forwarded).";

export const postOpenAIChatCompletions = withApiKey(
  {
    scope: "gateway",
    query: z.object({}).passthrough(),
    sendError: sendOpenAIError,
    doc: {
      summary: "Gateway: OpenAI Chat Completions",
      description: `An OpenAI Chat Completions request (\`stream\` supported; usage is asked for in a stream and its extra chunk kept from a client that did not ask for it). ${UPSTREAM_NOTE}`,
      body: ZOpenAIChatRequest,
      responses: { 200: { description: "OpenAI's chat.completion (or its stream of chat.completion.chunk)", schema: z.looseObject({ id: z.string(), model: z.string() }) } },
      errors: GATEWAY_ERRORS,
      errorBody: { id: "OpenAIError", schema: ZOpenAIError },
    },
  },
  (ctx) => relayCall(OPENAI_CHAT, ctx),
);

export const postAnthropicMessages = withApiKey(
  {
    scope: "gateway",
    query: z.object({}).passthrough(),
    sendError: sendAnthropicError,
    doc: {
      summary: "Gateway: Anthropic Messages",
      description: `An Anthropic Messages request (\`stream\` supported), the key as \`x-api-key\` or Bearer; \`anthropic-version\` and \`anthropic-beta\` are forwarded. ${UPSTREAM_NOTE}`,
      body: ZGatewayRequest,
      responses: { 200: { description: "Anthropic's message (or its stream of events)", schema: z.looseObject({ id: z.string(), model: z.string() }) } },
      errors: GATEWAY_ERRORS,
      errorBody: { id: "AnthropicError", schema: ZAnthropicError },
    },
  },
  (ctx) => relayCall(ANTHROPIC_MESSAGES, ctx),
);
