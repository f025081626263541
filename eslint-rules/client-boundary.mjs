import path from "node:path";

// Client components ("use client") ship to the browser: they may import only what is known to be
// safe there. An allow-list, not a deny-list — a new lib/ module that touches the database or a
// secret is refused until someone decides it belongs here. `import type` is erased and always fine.
// (`server-only` cannot guard this: it throws outside Next's bundler — in server.ts, scripts, tests.)
const CLIENT_SAFE_PACKAGES = [/^react(-dom)?(\/.*)?$/, /^next\/(link|navigation|image|dynamic|form)$/, /^recharts(\/.*)?$/];
// Project paths (from the repo root, no extension): UI code, and pure lib/ modules with no I/O.
const CLIENT_SAFE_MODULES = [/^components\//, /^lib\/money$/];

// Where an import lands, from the repo root, with "." and ".." resolved ("@/components/../lib/db"
// is lib/db, not a component).
function projectPath(source, filename, root) {
  if (source.startsWith("@/")) return path.posix.normalize(source.slice(2));
  if (source.startsWith("./") || source.startsWith("../")) {
    return path.relative(root, path.resolve(path.dirname(filename), source)).split(path.sep).join("/");
  }
  return null;
}

export function clientImportAllowed(source, filename, root = process.cwd()) {
  const local = projectPath(source, filename, root);
  if (local === null) return CLIENT_SAFE_PACKAGES.some((re) => re.test(source));
  const withoutExtension = local.replace(/\.(tsx?|mjs|js)$/, "");
  if (withoutExtension.startsWith("../") || withoutExtension.startsWith("/")) return false;
  return CLIENT_SAFE_MODULES.some((re) => re.test(withoutExtension)) || /\.css$/.test(local);
}

const rule = {
  meta: {
    type: "problem",
    docs: { description: "Client components import only modules on the browser allow-list" },
    messages: {
      notLiteral: "Client component loads a module whose name is not a plain string (dynamic import or require): the browser allow-list cannot check it.",
      notAllowed:
        "Client component imports '{{source}}', which is not on the browser allow-list (eslint-rules/client-boundary.mjs). Pass data or server actions as props, use `import type`, or add a pure module to the list.",
    },
    schema: [],
  },
  create(context) {
    const body = context.sourceCode.ast.body;
    const filename = context.filename;
    const root = context.cwd;
    const isClient = body.some((node) => node.type === "ExpressionStatement" && node.directive === "use client");
    // Everything under components/ too: a client component may import any of them, and whatever they
    // import rides along into the browser bundle.
    const inComponents = path.relative(root, filename).split(path.sep)[0] === "components";
    if (!isClient && !inComponents) return {};
    const check = (node) => {
      // Type-only imports are erased at compile time: nothing reaches the browser.
      if (node.importKind === "type" || node.exportKind === "type") return;
      if (node.type === "ImportDeclaration" && node.specifiers.length > 0 && node.specifiers.every((s) => s.importKind === "type")) return;
      if (!node.source) return; // export { x } with no "from"
      if (node.source.type !== "Literal" || typeof node.source.value !== "string") {
        context.report({ node, messageId: "notLiteral" });
        return;
      }
      const source = node.source.value;
      if (!clientImportAllowed(source, filename, root)) context.report({ node, messageId: "notAllowed", data: { source } });
    };
    const checkRequire = (node) => {
      if (node.callee.type !== "Identifier" || node.callee.name !== "require") return;
      const arg = node.arguments[0];
      if (!arg || arg.type !== "Literal" || typeof arg.value !== "string") context.report({ node, messageId: "notLiteral" });
      else if (!clientImportAllowed(arg.value, filename, root)) context.report({ node, messageId: "notAllowed", data: { source: arg.value } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check, CallExpression: checkRequire };
  },
};

const plugin = { rules: { "client-boundary": rule } };
export default plugin;
