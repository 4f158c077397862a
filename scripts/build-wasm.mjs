#!/usr/bin/env node
// Compiles the WebAssembly kernels (wasm/*.ts, AssemblyScript) into dist/wasm/*.wasm.
// Run by `npm run build` and before the tests. Deterministic: the compiler's version is
// pinned exactly in package.json, and the output does not depend on the machine.
import asc from "assemblyscript/asc";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
mkdirSync(`${root}/dist/wasm`, { recursive: true });

for (const name of ["pdq"]) {
  const { error, stderr } = await asc.main(
    [
      `wasm/${name}.ts`,
      "--outFile",
      `dist/wasm/${name}.wasm`,
      "--optimizeLevel",
      "3",
      "--shrinkLevel",
      "0",
      "--runtime",
      "stub",
      "--noAssert",
      "--enable",
      "simd",
      "--initialMemory",
      "1",
    ],
    { stdout: process.stdout, stderr: process.stderr, baseDir: root },
  );
  if (error) {
    console.error(`build-wasm: ${name}: ${error.message}\n${stderr.toString()}`);
    process.exit(1);
  }
}
