import next from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import burnrate from "./eslint-rules/client-boundary.mjs";

const config = [
  { ignores: [".next/**", ".data/**", "lib/generated/**", "node_modules/**", "test-results/**", "playwright-report/**", "e2e/artifacts/**", "next-env.d.ts"] },
  ...next,
  ...nextTs,
  {
    plugins: { burnrate },
    rules: {
      "burnrate/client-boundary": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
    },
  },
  {
    files: ["**/*.test.ts", "lib/testing/**", "e2e/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
];
export default config;
