/**
 * The import rules of docs/ARCHITECTURE.md, checked by `npm run lint:deps` (part of
 * `npm run check`): a violation fails the check. Each rule's comment says why it exists.
 * Type-only imports count too (`tsPreCompilationDeps`): a layer that needs another's types
 * depends on it.
 */

/** A path pattern for one top-level folder of src/. */
const layer = (name) => `^src/${name}/`;
/** Everything of rasd except the listed folders (and shared bits every layer may use). */
const rasdExcept = (...allowed) => `^src/(?!(${allowed.join("|")})/)[^/]+/`;

module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      comment: "Modules form a tree of layers; a cycle means two modules are one idea or a layer is leaking.",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "core-is-pure",
      comment: "core/ is the domain's vocabulary and rules: it imports nothing else of rasd.",
      severity: "error",
      from: { path: layer("core") },
      to: { path: rasdExcept("core") },
    },
    {
      name: "kernels-are-pure",
      comment: "kernels/ are algorithms without I/O: only other kernels and core's errors and types.",
      severity: "error",
      from: { path: layer("kernels") },
      to: { path: rasdExcept("kernels", "core") },
    },
    {
      name: "logging-stands-alone",
      comment: "Every layer logs, so the logger depends on none of them.",
      severity: "error",
      from: { path: layer("logging") },
      to: { path: rasdExcept("logging") },
    },
    {
      name: "config-reads-settings-only",
      comment: "config/ parses settings; it needs core's errors and the log levels, nothing that acts.",
      severity: "error",
      from: { path: layer("config") },
      to: { path: rasdExcept("config", "core", "logging") },
    },
    {
      name: "storage-knows-only-the-domain",
      comment: "storage/ holds the ports and their adapters; it speaks core's types, not services'.",
      severity: "error",
      from: { path: layer("storage") },
      to: { path: rasdExcept("storage", "core", "logging") },
    },
    {
      name: "media-is-an-adapter",
      comment: "media/ decodes and fetches untrusted input for the layers above; it knows kernels and core only.",
      severity: "error",
      from: { path: layer("media") },
      to: { path: rasdExcept("media", "kernels", "core", "logging") },
    },
    {
      name: "parallel-runs-work-it-is-given",
      comment: "parallel/ is a worker pool; signal types use it, not the reverse.",
      severity: "error",
      from: { path: layer("parallel") },
      to: { path: rasdExcept("parallel", "kernels", "core") },
    },
    {
      name: "signals-compose-kernels-and-media",
      comment: "signals/ are the signal-type plug-ins: kernels, media and the worker pool, no storage or services.",
      severity: "error",
      from: { path: layer("signals") },
      to: { path: rasdExcept("signals", "kernels", "media", "parallel", "core", "logging") },
    },
    {
      name: "report-is-pure",
      comment: "report/ renders figures it is given (CSV, HTML, SVG); it names the report's type, nothing more.",
      severity: "error",
      from: { path: layer("report") },
      to: { path: rasdExcept("report", "core", "kernels"), dependencyTypesNot: ["type-only"] },
    },
    {
      name: "services-use-ports",
      comment:
        "services/ depend on the storage ports (storage/ports, storage/store.ts), never on an adapter; and never on the edges (http, cli, server, bus).",
      severity: "error",
      from: { path: layer("services") },
      to: {
        path: ["^src/storage/(?!ports/|store\\.ts$)", layer("http"), layer("cli"), layer("server"), layer("bus")],
      },
    },
    {
      name: "bus-is-an-adapter",
      comment: "bus/ carries notices and work between processes; the composition root wires it to services.",
      severity: "error",
      from: { path: layer("bus") },
      to: { path: rasdExcept("bus", "core", "logging") },
    },
    {
      name: "http-calls-services",
      comment:
        "http/ translates HTTP to service calls: no storage adapter, no bus, no CLI; the composition root (server/) only by type.",
      severity: "error",
      from: { path: layer("http") },
      to: { path: ["^src/storage/(?!ports/|store\\.ts$)", layer("bus"), layer("cli")] },
    },
    {
      name: "http-sees-the-root-by-type",
      comment: "Routes receive the composed services; they may name their type but never build them.",
      severity: "error",
      from: { path: layer("http") },
      to: { path: layer("server"), dependencyTypesNot: ["type-only"] },
    },
    {
      name: "cli-calls-services",
      comment: "cli/ commands call services; only cli/context.ts (a composition root) opens stores.",
      severity: "error",
      from: { path: layer("cli"), pathNot: "^src/cli/context\\.ts$" },
      to: { path: ["^src/storage/(?!ports/|store\\.ts$)", layer("bus"), layer("http")] },
    },
    {
      name: "web-talks-to-the-api-only",
      comment:
        "The web app runs in a browser and talks to the API only: it may import the API's schemas and core's pure vocabularies (the behaviour labels), nothing else of the server.",
      severity: "error",
      from: { path: "^web/" },
      to: { path: "^src/(?!http/schemas/|core/)" },
    },
    {
      name: "web-imports-schemas-as-types",
      comment: "Type-only, so no server code (nor TypeBox) is bundled into the web app.",
      severity: "error",
      from: { path: "^web/" },
      to: { path: "^src/http/", dependencyTypesNot: ["type-only"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
