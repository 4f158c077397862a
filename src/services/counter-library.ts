/**
 * The counter-narrative library (issue 20): items and their approval workflow (draft →
 * approved → retired, core/counter.ts says who may do what), the keyword sets per narrative,
 * and the in-memory snapshot the redirect path reads — approved items per narrative and the
 * keyword automaton — rebuilt when this process changes them and when another process's
 * change shows in the store's version (polled every `refreshMs`), so a redirect never waits
 * on the database for them.
 */

import {
  COUNTER_TRANSITIONS,
  canApproveCounterItem,
  canSeeCounterItem,
  type CounterItem,
  type CounterKind,
  type CounterLang,
  type CounterStatus,
  type Narrative,
} from "../core/counter.js";
import { RasdError } from "../core/errors.js";
import type { Tlp } from "../core/model.js";
import { can } from "../core/roles.js";
import type { Viewer } from "../core/sharing.js";
import { KeywordAutomaton } from "../kernels/text/index.js";
import { getLogger } from "../logging/logger.js";
import type { CounterKeyword, CounterStore } from "../storage/ports/index.js";

export interface CounterItemInput {
  readonly kind: CounterKind;
  readonly title: string;
  readonly body?: string;
  readonly url?: string | null;
  readonly mediaHash?: string | null;
  readonly narratives: readonly Narrative[];
  readonly audience?: string;
  readonly lang: CounterLang;
  readonly tlp?: Tlp;
}

/** What the redirect path reads: built once per change. */
export interface LibrarySnapshot {
  readonly version: string;
  /** Approved items answering each narrative, newest approval first. */
  readonly byNarrative: ReadonlyMap<Narrative, readonly CounterItem[]>;
  readonly keywords: KeywordAutomaton<Narrative>;
  readonly items: ReadonlyMap<number, CounterItem>;
}

const MEDIA_HASH = /^(pdq:[0-9a-f]{64}|md5:[0-9a-f]{32}|sha256:[0-9a-f]{64})$/;
const MAX_PHRASE = 200;

function checkInput(input: CounterItemInput): void {
  if (input.title.trim() === "") throw new RasdError("invalid", "title: must not be empty");
  if (input.narratives.length === 0) throw new RasdError("invalid", "narratives: at least one narrative is needed");
  if (input.kind !== "text" && !input.url)
    throw new RasdError("invalid", `url: a ${input.kind} item needs the URL where its content is shown`);
  if (input.kind === "text" && !(input.body ?? "").trim() && !input.url)
    throw new RasdError("invalid", "body: a text item needs its text");
  if (input.url) {
    let u: URL;
    try {
      u = new URL(input.url);
    } catch {
      throw new RasdError("invalid", `url: not a URL ("${input.url}")`);
    }
    if (u.protocol !== "https:" && u.protocol !== "http:")
      throw new RasdError("invalid", "url: only http and https links can be served");
  }
  if (input.mediaHash && !MEDIA_HASH.test(input.mediaHash))
    throw new RasdError("invalid", "mediaHash: pdq:<64 hex>, md5:<32 hex> or sha256:<64 hex>");
}

export class CounterLibrary {
  private snapshotValue: LibrarySnapshot | undefined;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<LibrarySnapshot> | undefined;

  constructor(
    private readonly store: CounterStore,
    private readonly options: { readonly refreshMs?: number } = {},
  ) {}

  /** Drafts an item for the viewer's organisation. */
  async add(who: Viewer, input: CounterItemInput, now = Date.now()): Promise<CounterItem> {
    checkInput(input);
    const item = await this.store.createItem({
      orgId: who.orgId,
      kind: input.kind,
      title: input.title.trim(),
      body: input.body ?? "",
      url: input.url ?? null,
      mediaHash: input.mediaHash ?? null,
      narratives: [...new Set(input.narratives)],
      audience: input.audience ?? "",
      lang: input.lang,
      tlp: input.tlp ?? "AMBER+STRICT",
      createdBy: who.personId || null,
      createdAt: now,
    });
    await this.refresh();
    return item;
  }

  /**
   * Edits a draft of the viewer's organisation (fields not given keep their value): only
   * drafts change — an approved item is served as approved, so it is retired and drafted anew.
   */
  async edit(who: Viewer, id: number, patch: Partial<CounterItemInput>, now = Date.now()): Promise<CounterItem> {
    const item = await this.get(who, id);
    if (item.orgId !== who.orgId || !can(who.role, "counter.write"))
      throw new RasdError("auth.forbidden", "only the item's own organisation may edit its drafts");
    if (item.status !== "draft")
      throw new RasdError("conflict", `item ${id} is ${item.status}: only a draft can be edited`);
    const next: CounterItemInput = {
      kind: patch.kind ?? item.kind,
      title: patch.title ?? item.title,
      body: patch.body ?? item.body,
      url: patch.url !== undefined ? patch.url || null : item.url,
      mediaHash: patch.mediaHash !== undefined ? patch.mediaHash || null : item.mediaHash,
      narratives: patch.narratives ?? item.narratives,
      audience: patch.audience ?? item.audience,
      lang: patch.lang ?? item.lang,
      tlp: patch.tlp ?? item.tlp,
    };
    checkInput(next);
    const updated = await this.store.updateDraft(
      id,
      {
        kind: next.kind,
        title: next.title.trim(),
        body: next.body ?? "",
        url: next.url ?? null,
        mediaHash: next.mediaHash ?? null,
        narratives: [...new Set(next.narratives)],
        audience: next.audience ?? "",
        lang: next.lang,
        tlp: next.tlp ?? item.tlp,
      },
      now,
    );
    if (!updated) throw new RasdError("conflict", `item ${id} changed meanwhile; read it again`);
    return updated;
  }

  /** The items the viewer may see (own drafts included), optionally one status. */
  async list(who: Viewer, status?: CounterStatus): Promise<CounterItem[]> {
    const all = await this.store.listItems(status ? { status } : {});
    return all.filter((i) => canSeeCounterItem(who, i));
  }

  /** One item the viewer may see, or not_found (never forbidden: no existence leak). */
  async get(who: Viewer, id: number): Promise<CounterItem> {
    const item = await this.store.getItem(id);
    if (!item || !canSeeCounterItem(who, item)) throw new RasdError("not_found", `no counter item with id ${id}`);
    return item;
  }

  /** Moves an item along the workflow: approve (a draft) or retire (a draft or an approved item). */
  async transition(
    who: Viewer,
    id: number,
    to: Exclude<CounterStatus, "draft">,
    now = Date.now(),
  ): Promise<CounterItem> {
    const item = await this.get(who, id);
    if (!canApproveCounterItem(who, item))
      throw new RasdError(
        "auth.forbidden",
        `only an admin or reviewer of the item's own organisation may ${to === "approved" ? "approve" : "retire"} it`,
      );
    if (!COUNTER_TRANSITIONS[item.status].includes(to))
      throw new RasdError("conflict", `item ${id} is ${item.status}: it cannot become ${to}`);
    const moved = await this.store.setStatus(id, item.status, to, who.personId || null, now);
    if (!moved) throw new RasdError("conflict", `item ${id} changed meanwhile; read it again`);
    getLogger("counter").info({ item: id, status: to, by: who.personId }, "counter item status changed");
    await this.refresh();
    return moved;
  }

  keywords(): Promise<CounterKeyword[]> {
    return this.store.listKeywords();
  }

  /** Adds phrases to a narrative's keyword set (the viewer's organisation's entries). */
  async addKeywords(who: Viewer, narrative: Narrative, phrases: readonly string[], now = Date.now()) {
    if (!can(who.role, "counter.write"))
      throw new RasdError("auth.forbidden", `the ${who.role} role may not edit keywords`);
    const clean = phrases.map((p) => p.trim()).filter((p) => p !== "");
    if (clean.length === 0) throw new RasdError("invalid", "phrases: at least one non-empty phrase is needed");
    const long = clean.find((p) => p.length > MAX_PHRASE);
    if (long)
      throw new RasdError("invalid", `phrases: "${long.slice(0, 40)}…" is longer than ${MAX_PHRASE} characters`);
    const empty = clean.find((p) => new KeywordAutomaton([{ phrase: p, tag: narrative }]).size === 0);
    if (empty) throw new RasdError("invalid", `phrases: "${empty}" has no letters or digits to match`);
    const added = await this.store.addKeywords(who.orgId, narrative, clean, who.personId || null, now);
    await this.refresh();
    return added;
  }

  async removeKeyword(who: Viewer, id: number): Promise<void> {
    if (!(await this.store.removeKeyword(who.orgId, id)))
      throw new RasdError("not_found", `your organisation has no keyword with id ${id}`);
    await this.refresh();
  }

  /** The snapshot the redirect path reads (built on first use). */
  async snapshot(): Promise<LibrarySnapshot> {
    return this.snapshotValue ?? this.refresh();
  }

  /** The snapshot as it is now, without waiting (undefined before the first build). */
  current(): LibrarySnapshot | undefined {
    return this.snapshotValue;
  }

  /** Rebuilds the snapshot from the store (one build at a time; a caller arriving during one waits for the next). */
  async refresh(): Promise<LibrarySnapshot> {
    const previous = this.refreshing;
    const next = (async () => {
      await previous?.catch(() => undefined);
      return this.build();
    })();
    this.refreshing = next;
    try {
      return await next;
    } finally {
      if (this.refreshing === next) this.refreshing = undefined;
    }
  }

  private async build(): Promise<LibrarySnapshot> {
    const version = await this.store.version();
    const [items, keywords] = await Promise.all([
      this.store.listItems({ status: "approved" }),
      this.store.listKeywords(),
    ]);
    const byNarrative = new Map<Narrative, CounterItem[]>();
    const sorted = [...items].sort((a, b) => (b.approvedAt ?? 0) - (a.approvedAt ?? 0) || b.id - a.id);
    for (const item of sorted)
      for (const n of item.narratives) {
        const list = byNarrative.get(n) ?? [];
        list.push(item);
        byNarrative.set(n, list);
      }
    const snapshot: LibrarySnapshot = {
      version,
      byNarrative,
      keywords: new KeywordAutomaton(keywords.map((k) => ({ phrase: k.phrase, tag: k.narrative }))),
      items: new Map(items.map((i) => [i.id, i])),
    };
    this.snapshotValue = snapshot;
    return snapshot;
  }

  /** Follows other processes' changes: polls the store's version every `refreshMs` (default 1 s). */
  start(): void {
    if (this.timer) return;
    const every = this.options.refreshMs ?? 1000;
    this.timer = setInterval(() => {
      void (async () => {
        try {
          const version = await this.store.version();
          if (version !== this.snapshotValue?.version) await this.refresh();
        } catch (error) {
          getLogger("counter").warn({ err: error }, "counter library refresh failed; serving the last snapshot");
        }
      })();
    }, every);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
