/**
 * axe-core in the browser tests: injects node_modules/axe-core/axe.min.js into the page and
 * runs it against WCAG 2.0/2.1/2.2 A and AA. The page's context must be created with
 * `bypassCSP: true` (the app's Content-Security-Policy refuses injected scripts, as it should);
 * the CSP itself is checked by the tests that run without it.
 */

import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { REPO_ROOT } from "./shared.js";

export const AXE_PATH = join(REPO_ROOT, "node_modules", "axe-core", "axe.min.js");

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly { target: string; html: string; summary: string }[];
}

/** Whether axe-core is installed (a devDependency). */
export function haveAxe(): boolean {
  return existsSync(AXE_PATH);
}

/** axe's violations on the page as it is now, WCAG 2.x A and AA rules. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe !== "undefined");
  if (!loaded) await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(
            context: unknown,
            options: unknown,
          ): Promise<{
            violations: {
              id: string;
              impact: string | null;
              help: string;
              nodes: { target: unknown[]; html: string; failureSummary?: string }[];
            }[];
          }>;
        };
      }
    ).axe;
    const r = await axe.run((globalThis as unknown as { document: unknown }).document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
      resultTypes: ["violations"],
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({
        target: n.target.map(String).join(" "),
        html: n.html.slice(0, 200),
        summary: (n.failureSummary ?? "").slice(0, 300),
      })),
    }));
  });
}

/** The serious and critical violations, as one readable message ("" when there are none). */
export async function seriousViolations(page: Page): Promise<string> {
  const bad = (await axeViolations(page)).filter((v) => v.impact === "serious" || v.impact === "critical");
  return bad
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${n.target}: ${n.html}\n      ${n.summary}`).join("\n")}`,
    )
    .join("\n");
}
