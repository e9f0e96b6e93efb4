// Builds the CommonJS side of the package into dist/cjs/ (whose package.json
// says "commonjs"), from tsc's output in dist/. Run by scripts/build-wasm.sh
// after tsc and before the ESM files are minified.
//
// `require("omni-socket")` is `io` itself, carrying every export of the
// package as a property (`io.io`, `io.Socket`, `io.init`, ...), as
// `require("socket.io-client")` is, so `const io = require("omni-socket")`
// and `const { io } = require("omni-socket")` both work. It is node.js (the
// ESM entry that loads the wasm from the file next to it) bundled by esbuild
// with the core and the glue. react.js and vue.js require that index.js, so a
// CommonJS program shares one copy.
//
// Declarations: dist/cjs/api.d.ts is index.d.ts read as CommonJS, and
// dist/cjs/index.d.ts says `export = io`, where `io` is the function with a
// namespace that re-exports everything api.d.ts exports. The list of names
// and io's signature come from api.d.ts through the TypeScript compiler, so
// nothing here names an export; the result is type-checked before it is
// written.

import { build } from "esbuild";
import { copyFile, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import ts from "typescript";

const dist = fileURLToPath(new URL("../dist/", import.meta.url));
const cjs = join(dist, "cjs");

await rm(cjs, { recursive: true, force: true });
await mkdir(join(cjs, "generated"), { recursive: true });
await writeFile(join(cjs, "package.json"), '{"type":"commonjs"}\n');

const common = {
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  packages: "external",
  minify: true,
  logLevel: "warning",
};

await build({
  ...common,
  stdin: {
    contents: 'const api = require("./node.js");\nmodule.exports = Object.assign(api.io, api);\n',
    resolveDir: dist,
    sourcefile: "cjs-entry.js",
    loader: "js",
  },
  // `import.meta.url` is empty in CommonJS: here it is the URL of dist/,
  // where node.js finds wasm/. (The glue's own default URL is never used in
  // Node: node.js loads the module before anything can ask for it.)
  define: { "import.meta.url": "__omni_dist_url" },
  banner: { js: 'var __omni_dist_url=require("url").pathToFileURL(__dirname+"/../").href;' },
  outfile: join(cjs, "index.js"),
});
for (const name of ["react", "vue"]) {
  await build({ ...common, entryPoints: [join(dist, `${name}.js`)], external: ["./index.js"], outfile: join(cjs, `${name}.js`) });
}
// The product modules (`omni-socket/products/<name>`), each with the
// helpers they share, over the same index.js.
const products = (await readdir(join(dist, "products"))).filter((f) => f.endsWith(".js") && f !== "common.js").map((f) => f.slice(0, -3));
await mkdir(join(cjs, "products"), { recursive: true });
for (const name of products) {
  await build({ ...common, entryPoints: [join(dist, "products", `${name}.js`)], external: ["../index.js"], outfile: join(cjs, "products", `${name}.js`) });
}

// Declarations.
await copyFile(join(dist, "index.d.ts"), join(cjs, "api.d.ts"));
// index.d.ts re-exports the modules it is made of (socket, manager, …).
for (const f of await readdir(dist)) {
  if (f.endsWith(".d.ts") && f !== "index.d.ts" && !f.startsWith("node")) await copyFile(join(dist, f), join(cjs, f));
}
for (const f of await readdir(join(dist, "generated"))) {
  if (f.endsWith(".d.ts")) await copyFile(join(dist, "generated", f), join(cjs, "generated", f));
}
for (const f of await readdir(join(dist, "products"))) {
  if (f.endsWith(".d.ts")) await copyFile(join(dist, "products", f), join(cjs, "products", f));
}

const options = {
  module: ts.ModuleKind.Node16,
  moduleResolution: ts.ModuleResolutionKind.Node16,
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
  types: [],
  strict: true,
  noEmit: true,
  skipLibCheck: false,
  isolatedModules: true,
};
const apiFile = join(cjs, "api.d.ts");
const program = ts.createProgram([apiFile], options);
const checker = program.getTypeChecker();
const source = program.getSourceFile(apiFile);
const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(source));
const names = exports.map((s) => s.getName()).filter((n) => n !== "default");
const ioSymbol = exports.find((s) => s.getName() === "io");
if (!ioSymbol) throw new Error("build-cjs: index.d.ts exports no `io`");
const printer = ts.createPrinter({ removeComments: false });
const signatures = ioSymbol.declarations.map((d) => {
  if (!ts.isFunctionDeclaration(d)) throw new Error("build-cjs: `io` is not a function declaration");
  // The declaration as written, without `export`, so the namespace can merge with it.
  const local = ts.factory.updateFunctionDeclaration(
    d,
    [ts.factory.createModifier(ts.SyntaxKind.DeclareKeyword)],
    d.asteriskToken,
    d.name,
    d.typeParameters,
    d.parameters,
    d.type,
    d.body,
  );
  return printer.printNode(ts.EmitHint.Unspecified, local, source);
});

// A name with a value (a function, a class) is aliased whole; a type-only
// one (`export type ...` in index.d.ts) cannot be, so it becomes a type
// alias with the same type parameters.
function member(symbol) {
  const name = symbol.getName();
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  if (target.flags & ts.SymbolFlags.Value) return `    export import ${name} = api.${name};`;
  const params = target.declarations?.find((d) => d.typeParameters?.length)?.typeParameters ?? [];
  if (!params.length) return `    export type ${name} = api.${name};`;
  const decl = params.map((p) => printer.printNode(ts.EmitHint.Unspecified, p, p.getSourceFile())).join(", ");
  const args = params.map((p) => p.name.text).join(", ");
  return `    export type ${name}<${decl}> = api.${name}<${args}>;`;
}

const types = names.filter((n) => n !== "io");
const index = [
  "// CommonJS view of omni-socket: `require(\"omni-socket\")` is `io`, with every",
  "// export of the package as a property. Generated by npm/scripts/build-cjs.mjs.",
  'import * as api from "./api.js";',
  `import type { ${types.join(", ")} } from "./api.js";`,
  ...signatures,
  "declare namespace io {",
  ...exports.filter((s) => s.getName() !== "default").map(member),
  "}",
  "export = io;",
  "",
].join("\n");
const indexFile = join(cjs, "index.d.ts");
await writeFile(indexFile, index);

// Every CommonJS declaration file must compile as a CommonJS consumer sees it.
const check = ts.createProgram(
  [indexFile, join(cjs, "react.d.ts"), join(cjs, "vue.d.ts"), ...products.map((p) => join(cjs, "products", `${p}.d.ts`))],
  options,
);
const diagnostics = ts.getPreEmitDiagnostics(check);
if (diagnostics.length) {
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => dist, getNewLine: () => "\n" };
  throw new Error("build-cjs: the CommonJS declarations do not compile:\n" + ts.formatDiagnostics(diagnostics, host));
}
