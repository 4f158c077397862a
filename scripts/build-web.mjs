#!/usr/bin/env node
// Builds the web app (web/) into dist/web: one minified, content-hashed script and style
// sheet with source maps, index.html pointing at them, and the icon. `npm run build` runs it.
import { build } from "esbuild";
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = join(root, "dist", "web");
await rm(out, { recursive: true, force: true });
await mkdir(join(out, "assets"), { recursive: true });

const result = await build({
  entryPoints: { app: join(root, "web", "src", "main.tsx") },
  bundle: true,
  minify: true,
  sourcemap: true,
  format: "esm",
  target: ["es2022"],
  jsx: "automatic",
  jsxImportSource: "preact",
  outdir: join(out, "assets"),
  entryNames: "[name]-[hash]",
  assetNames: "[name]-[hash]",
  metafile: true,
  legalComments: "linked",
  logLevel: "warning",
});

const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
const js = outputs.find((f) => /^app-[A-Z0-9]+\.js$/.test(f));
const css = outputs.find((f) => /^app-[A-Z0-9]+\.css$/.test(f));
if (!js || !css) throw new Error(`build-web: expected app-*.js and app-*.css, got ${outputs.join(", ")}`);
const page = (await readFile(join(root, "web", "index.html"), "utf8")).replace("{{js}}", js).replace("{{css}}", css);
await writeFile(join(out, "index.html"), page);
await copyFile(join(root, "web", "icon.svg"), join(out, "assets", "icon.svg"));
process.stdout.write(`build-web: dist/web (${js}, ${css})\n`);
