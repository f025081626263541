import type { Rule } from "eslint";

declare const plugin: { rules: { "client-boundary": Rule.RuleModule } };
export default plugin;
