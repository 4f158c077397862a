/**
 * `npm run docs:config`: writes docs/configuration.md's settings tables from the one settings
 * table (src/config/settings.ts). Each table sits between markers,
 *
 *   <!-- settings:SECTION (generated from src/config/settings.ts by `npm run docs:config`; do not edit) -->
 *   ...
 *   <!-- /settings:SECTION -->
 *
 * and everything outside them is hand-written prose, kept as it is. The page is then
 * formatted with the repository's Prettier settings, so the output is what `npm run format`
 * would leave. test/config/configuration-doc.test.ts fails when the committed page differs.
 * `--check` exits 1 (naming the command to run) instead of writing.
 */

import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { format, resolveConfig } from "prettier";
import { SETTINGS, SETTINGS_SECTIONS, type SettingsSection } from "../src/config/settings.js";

export const CONFIG_DOC = fileURLToPath(new URL("../docs/configuration.md", import.meta.url));

const begin = (s: SettingsSection): string =>
  `<!-- settings:${s} (generated from src/config/settings.ts by \`npm run docs:config\`; do not edit) -->`;
const end = (s: SettingsSection): string => `<!-- /settings:${s} -->`;

const cell = (text: string): string => text.replace(/\|/g, "\\|");

function table(section: SettingsSection): string {
  const rows = SETTINGS.filter((s) => s.section === section);
  if (rows.length === 0) throw new Error(`settings.ts has no settings in section "${section}"`);
  return [
    "| setting | option | environment | default |",
    "| --- | --- | --- | --- |",
    ...rows.map((s) => `| ${cell(s.setting)} | ${cell(s.option)} | ${cell(s.env)} | ${cell(s.default)} |`),
  ].join("\n");
}

/** The page `text` with every generated table replaced from settings.ts, formatted. */
export async function generateConfigDoc(text: string): Promise<string> {
  let out = text;
  for (const section of SETTINGS_SECTIONS) {
    const from = out.indexOf(begin(section));
    const to = out.indexOf(end(section));
    if (from < 0 || to < from)
      throw new Error(
        `docs/configuration.md lacks the markers of the "${section}" table: put\n${begin(section)}\n${end(section)}\nwhere it belongs`,
      );
    out = `${out.slice(0, from + begin(section).length)}\n\n${table(section)}\n\n${out.slice(to)}`;
  }
  return format(out, { ...(await resolveConfig(CONFIG_DOC)), filepath: CONFIG_DOC });
}

async function main(): Promise<void> {
  const current = readFileSync(CONFIG_DOC, "utf8");
  const next = await generateConfigDoc(current);
  if (process.argv.includes("--check")) {
    if (next !== current) {
      process.stderr.write("docs/configuration.md differs from src/config/settings.ts: run `npm run docs:config`\n");
      process.exitCode = 1;
    }
    return;
  }
  if (next !== current) writeFileSync(CONFIG_DOC, next);
  process.stdout.write(
    `docs/configuration.md: ${next === current ? "already up to date" : "tables rewritten"} (${SETTINGS.length} settings)\n`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
