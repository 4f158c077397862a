// Preloaded with `node --import` by start-up tests: writes the URL of every module the process
// loads to the file named by RASD_MODULE_TRACE, one a line. ES modules are written by a resolve
// hook (on the hooks thread, as they resolve), CommonJS ones (sharp, commander) from the
// require cache when the process exits.
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";

const out = process.env.RASD_MODULE_TRACE;
if (out) {
  const hooks = `
import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(${JSON.stringify(out)}, result.url + "\\n");
  return result;
}`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
  const cache = createRequire(import.meta.url).cache;
  process.on("exit", () => {
    appendFileSync(
      out,
      Object.keys(cache)
        .map((p) => `file://${p}\n`)
        .join(""),
    );
  });
}
