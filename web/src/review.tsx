/**
 * The review queue. Safe by default: media is blurred and greyscale until the reviewer
 * reveals it, one item at a time (moving to another item hides it again); videos are muted
 * and never play by themselves. Beside the item: the matched signals with their bank,
 * distance and labels. Decisions come from a fixed taxonomy with a statement of reasons;
 * a violating item can go into a bank in the same step.
 */

import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, type Api } from "./lib/api.js";
import { clearDraft, loadDraft, saveDraft } from "./lib/drafts.js";
import { formatDate, formatDateTime, formatNumber, formatPercent, t } from "./lib/i18n.js";
import { REVIEW_SHORTCUTS, reviewAction } from "./lib/shortcuts.js";
import {
  BEHAVIOURS,
  DECISIONS,
  EMPTY_DRAFT,
  ENTITIES,
  decisionBody,
  decisionName,
  validateDraft,
  type DecisionDraft,
} from "./lib/taxonomy.js";
import { ago } from "./lib/time.js";
import {
  NO_QUEUE_FILTERS,
  QUEUE_KINDS,
  QUEUE_LANGUAGES,
  QUEUE_REASONS,
  loadQueueFilters,
  queueNarrowed,
  queueQuery,
  saveQueueFilters,
  type QueueFilters,
} from "./lib/review-filters.js";
import type { Bank, Me, ReviewDetail, ReviewEntry } from "./lib/types.js";
import { ErrorBox, LabelChips, TlpBadge, Txt, useLoad } from "./ui.js";
import { concealFilter, type WellnessPreferences } from "./lib/wellness.js";
import { BreakPrompt, WellnessBar, useWellness } from "./wellness.js";
import { BanEvasion, accountSummary } from "./accounts.js";

const QUEUES = ["open", "escalated", "decided"] as const;
type QueueStatus = (typeof QUEUES)[number];

/** The draft kept in sessionStorage while a reviewer writes: which entry, and the form. */
interface KeptDraft {
  id: number;
  draft: DecisionDraft;
}
const DRAFT = "review";

const PAGE = 100;

export function Review(props: { api: Api; me: Me }) {
  const [status, setStatusState] = useState<QueueStatus>("open");
  const [filters, setFiltersState] = useState<QueueFilters>(() => loadQueueFilters(globalThis.localStorage));
  // The cursors of the pages walked so far (GET /v1/reviews's `next`): the last is the page shown.
  const [pages, setPages] = useState<string[]>([]);
  const before = pages[pages.length - 1];
  const queue = useLoad(
    () =>
      props.api.get<{ reviews: ReviewEntry[]; total?: number; next?: string | null }>(
        `/v1/reviews?${queueQuery(status, filters, before, PAGE)}`,
      ),
    [status, JSON.stringify(filters), before],
  );
  const setStatus = (s: QueueStatus) => {
    setStatusState(s);
    setPages([]);
  };
  const setFilters = (f: QueueFilters) => {
    setFiltersState(f);
    saveQueueFilters(globalThis.localStorage, f);
    setPages([]);
  };
  const banks = useLoad(() => props.api.get<{ banks: Bank[] }>("/v1/banks"), []);
  // A draft kept from before a sign-in (the session expired while the reviewer wrote).
  const [kept] = useState(() => loadDraft<KeptDraft>(DRAFT));
  const [selected, setSelected] = useState<number | undefined>(kept?.id);
  const [revealed, setRevealed] = useState<number | undefined>();
  const [done, setDone] = useState<string | undefined>();
  /** The decision just made, while it may still be undone. */
  const [undoable, setUndoable] = useState<{ id: number; until: string }>();
  const [undoError, setUndoError] = useState<unknown>();
  // Bumped by an undo: the entry shown is loaded (and claimed) afresh even when it stays selected.
  const [undone, setUndone] = useState(0);
  const undo = async (id: number) => {
    setUndoError(undefined);
    try {
      const r = await props.api.post<{ id: number; status: QueueStatus }>(`/v1/reviews/${id}/undo`, {});
      setUndoable(undefined);
      setDone(t("review:undone", { id, queue: t(`review:tabs.${r.status}`) }));
      setStatus(r.status);
      select(id);
      setUndone((n) => n + 1);
      queue.reload();
    } catch (err) {
      setUndoError(err);
    }
  };
  const reasonsRef = useRef<HTMLTextAreaElement>(null);
  const [draft, setDraftState] = useState<DecisionDraft>(kept?.draft ?? EMPTY_DRAFT);
  const [restored, setRestored] = useState(kept !== undefined && kept.draft.reasons.trim() !== "");
  const reviews = queue.data?.reviews ?? [];
  const current = selected ?? reviews[0]?.id;
  const canDecide = props.me.permissions.includes("review.decide");
  const ownBanks = (banks.data?.banks ?? []).filter((b) => b.org_id === props.me.org.id && !b.negative);
  const wellness = useWellness(props.api);

  const setDraft = (f: DecisionDraft | ((d: DecisionDraft) => DecisionDraft)) =>
    setDraftState((d) => {
      const next = typeof f === "function" ? f(d) : f;
      if (current !== undefined && (next.reasons !== "" || next.decision !== ""))
        saveDraft(DRAFT, { id: current, draft: next } satisfies KeptDraft);
      return next;
    });
  const select = (id: number | undefined) => {
    setSelected(id);
    setRevealed(undefined); // revealing is per item: another item starts hidden
    setDraftState(EMPTY_DRAFT);
    setRestored(false);
    clearDraft(DRAFT);
  };
  const move = (step: number) => {
    const i = reviews.findIndex((r) => r.id === current);
    const next = reviews[Math.min(reviews.length - 1, Math.max(0, i + step))];
    if (next) select(next.id);
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      const action = reviewAction({
        key: e.key,
        ctrlKey: e.ctrlKey,
        metaKey: e.metaKey,
        altKey: e.altKey,
        targetTag: t?.tagName ?? "",
        targetEditable: t?.isContentEditable ?? false,
      });
      if (!action) return;
      e.preventDefault();
      if (action === "next") move(1);
      else if (action === "previous") move(-1);
      else if (action === "reveal") setRevealed((r) => (r === current ? undefined : current));
      else if (action === "reasons") reasonsRef.current?.focus();
      else if (canDecide) setDraft((d) => ({ ...d, decision: action }));
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  return (
    <main id="main" class="review">
      <div class="page-head">
        <h1>{t("review:title")}</h1>
        <p class="shortcuts" aria-label={t("review:keysAria")}>
          {t("review:keysLead")}{" "}
          {REVIEW_SHORTCUTS.map((s) => (
            <span key={s.key}>
              <kbd>{s.key}</kbd> {t(`review:keys.${s.action}`)}
            </span>
          ))}
        </p>
      </div>
      <WellnessBar w={wellness} />
      <BreakPrompt w={wellness} />
      {done && (
        <p class="success" role="status">
          {done}
        </p>
      )}
      {undoable && Date.parse(undoable.until) > Date.now() && (
        <p class="row" data-testid="undo-last">
          <button type="button" onClick={() => void undo(undoable.id)}>
            {t("review:undo", { id: undoable.id })}
          </button>
          <span class="muted small">
            {t("review:undoUntil", { time: formatDateTime(undoable.until, { timeStyle: "short" }) })}
          </span>
        </p>
      )}
      <ErrorBox error={undoError} />
      <ErrorBox error={queue.error} />
      <div class="review-layout">
        <nav class="queue" aria-label={t("review:queueAria")}>
          <div class="tabs" role="group" aria-label={t("review:tabs.aria")}>
            {QUEUES.map((q) => (
              <button
                key={q}
                type="button"
                aria-pressed={status === q}
                onClick={() => {
                  setStatus(q);
                  select(undefined);
                }}
              >
                {t(`review:tabs.${q}`)}
              </button>
            ))}
          </div>
          <QueueFilterBar
            filters={filters}
            banks={(banks.data?.banks ?? []).filter((b) => !b.negative)}
            onChange={(f) => {
              setFilters(f);
              select(undefined);
            }}
          />
          <h2 data-testid="queue-count">
            {status === "escalated"
              ? t("review:escalatedCount", { count: queue.data?.total ?? reviews.length })
              : status === "decided"
                ? t("review:decidedCount", { count: queue.data?.total ?? reviews.length })
                : (queue.data?.total ?? reviews.length) > reviews.length || pages.length > 0
                  ? t("review:waitingOfTotal", { shown: reviews.length, count: queue.data?.total ?? reviews.length })
                  : t("review:waiting", { count: reviews.length })}
          </h2>
          {queueNarrowed(filters) && (
            <p class="muted small" data-testid="filtered-note">
              {t("review:filters.narrowed")}
            </p>
          )}
          {pages.length > 0 && (
            <p class="muted small" data-testid="page-note">
              {t("review:page", { n: pages.length + 1 })}
            </p>
          )}
          {reviews.length === 0 && !queue.loading && (
            <p class="muted">
              {status === "escalated"
                ? t("review:emptyEscalated")
                : status === "decided"
                  ? t("review:emptyDecided")
                  : t("review:empty")}
            </p>
          )}
          <ol>
            {reviews.map((r) => (
              <li key={r.id}>
                <button
                  type="button"
                  class="queue-item"
                  aria-current={r.id === current ? "true" : undefined}
                  onClick={() => select(r.id)}
                >
                  <span>{t("review:entry", { id: r.id })}</span>
                  <span class="muted">
                    {t("review:entryMeta", { item: r.item_id, ago: ago(r.created_at, Date.now()) })}
                  </span>
                  {r.priority !== undefined && (
                    <span class="priority">
                      {t("review:priority", {
                        p: formatNumber(Number(r.priority), { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
                      })}
                    </span>
                  )}
                  {r.reason && (
                    <span class="reason" data-testid="queue-reason">
                      {t(`review:reason.${r.reason}`)}
                    </span>
                  )}
                </button>
              </li>
            ))}
          </ol>
          {(pages.length > 0 || queue.data?.next) && (
            <nav class="row pager" aria-label={t("review:pagerAria")}>
              {pages.length > 0 && (
                <button
                  type="button"
                  onClick={() => {
                    setPages([]);
                    select(undefined);
                  }}
                >
                  {t("review:firstPage")}
                </button>
              )}
              {queue.data?.next && (
                <button
                  type="button"
                  data-testid="next-page"
                  onClick={() => {
                    const next = queue.data?.next;
                    if (next) setPages((p) => [...p, next]);
                    select(undefined);
                  }}
                >
                  {t("review:nextPage")}
                </button>
              )}
            </nav>
          )}
        </nav>
        {current !== undefined && !wellness.due && (
          <ReviewItem
            key={`${current}:${undone}`}
            api={props.api}
            id={current}
            revealed={revealed === current}
            onReveal={() => setRevealed((r) => (r === current ? undefined : current))}
            canDecide={canDecide}
            senior={props.me.person.role === "admin"}
            banks={ownBanks}
            draft={draft}
            setDraft={setDraft}
            reasonsRef={reasonsRef}
            restored={restored}
            prefs={wellness.prefs}
            onOpened={wellness.onOpened}
            onUndo={(id) => void undo(id)}
            onDecided={(message, undo) => {
              setDone(message);
              setUndoable(undo);
              select(undefined);
              queue.reload();
            }}
          />
        )}
      </div>
    </main>
  );
}

function ReviewItem(props: {
  api: Api;
  id: number;
  revealed: boolean;
  onReveal: () => void;
  canDecide: boolean;
  senior: boolean;
  banks: Bank[];
  draft: DecisionDraft;
  setDraft: (f: (d: DecisionDraft) => DecisionDraft) => void;
  reasonsRef: { current: HTMLTextAreaElement | null };
  restored: boolean;
  prefs: WellnessPreferences;
  /** The entry was claimed: an exposure (counted today and this session). */
  onOpened: (id: number) => void;
  onDecided: (message: string, undo?: { id: number; until: string }) => void;
  onUndo: (id: number) => void;
}) {
  const detail = useLoad(() => props.api.get<ReviewDetail>(`/v1/reviews/${props.id}`), [props.id]);
  const d = detail.data;
  const waiting = d !== undefined && (d.review.status === "open" || (d.review.status === "escalated" && props.senior));
  // Opening a waiting item claims it (a lease) so that it is not offered to another reviewer.
  const [claim, setClaim] = useState<{ until?: string; refused?: string; limit?: boolean }>({});
  useEffect(() => {
    if (!props.canDecide || !waiting) return;
    let held = false;
    props.api.post<{ claimed_until: string }>(`/v1/reviews/${props.id}/claim`, {}).then(
      (r) => {
        held = true;
        setClaim({ until: r.claimed_until });
        props.onOpened(props.id);
      },
      (e: unknown) =>
        setClaim({
          refused: e instanceof Error ? e.message : String(e),
          ...(e instanceof ApiError && e.code === "review.daily_limit" ? { limit: true } : {}),
        }),
    );
    return () => {
      if (held) void props.api.delete(`/v1/reviews/${props.id}/claim`).catch(() => undefined);
    };
  }, [props.id, waiting]);
  return (
    <section class="item-detail" aria-labelledby="item-h">
      <h2 id="item-h">{t("review:entry", { id: props.id })}</h2>
      <ErrorBox error={detail.error} />
      {d && (
        <>
          <Media api={props.api} detail={d} revealed={props.revealed} onReveal={props.onReveal} prefs={props.prefs} />
          <dl class="facts">
            <div>
              <dt>{t("review:facts.kind")}</dt>
              <dd>{kindName(d.item.kind)}</dd>
            </div>
            <div>
              <dt>{t("review:facts.platform")}</dt>
              <dd>
                <Txt value={d.item.platform || "—"} />
              </dd>
            </div>
            <div>
              <dt>{t("review:facts.contentId")}</dt>
              <dd>
                <Txt value={d.item.content_id || "—"} />
              </dd>
            </div>
            <div>
              <dt>{t("review:facts.author")}</dt>
              <dd>
                <Txt value={d.item.author_id || "—"} />
              </dd>
            </div>
            <div>
              <dt>{t("review:facts.posted")}</dt>
              <dd>
                {d.item.posted_at ? <time dateTime={d.item.posted_at}>{formatDateTime(d.item.posted_at)}</time> : "—"}
              </dd>
            </div>
            <div>
              <dt>{t("review:facts.received")}</dt>
              <dd>
                {d.item.timestamps.received_at ? (
                  <time dateTime={d.item.timestamps.received_at}>{formatDateTime(d.item.timestamps.received_at)}</time>
                ) : (
                  "—"
                )}
              </dd>
            </div>
          </dl>
          <Why detail={d} />
          {d.matched_signals.some((m) => m.signal.type === "account") && (
            <BanEvasion
              api={props.api}
              reviewId={props.id}
              prefs={props.prefs}
              revealed={props.revealed}
              onReveal={props.onReveal}
            />
          )}
          <h3>{t("review:matches")}</h3>
          {d.matched_signals.length === 0 ? (
            <p class="muted">{t("review:noMatch")}</p>
          ) : (
            <ul class="matches">
              {d.matched_signals.map((m) => (
                <li key={m.signal.id} class={m.suppressed ? "suppressed" : ""}>
                  <div class="match-head">
                    <span>{t("review:match.inBank", { type: m.signal.type, bank: m.bank.name })}</span>{" "}
                    <TlpBadge tlp={m.bank.tlp} />{" "}
                    {m.distance !== undefined && <span>{t("review:match.distance", { d: m.distance })}</span>}{" "}
                    {m.similarity !== undefined && (
                      <span>{t("review:match.similarity", { s: formatPercent(m.similarity, 0) })}</span>
                    )}{" "}
                    {m.suppressed && <span>{t("review:match.suppressed")}</span>}
                  </div>
                  <Txt
                    value={(m.signal.type === "account" ? accountSummary(m.signal.value) : undefined) ?? m.signal.value}
                    block
                    class="signal-value"
                  />
                  <LabelChips labels={m.signal.labels} />
                </li>
              ))}
            </ul>
          )}
          {d.review.status === "decided" ? (
            <div class="notice" data-testid="decided">
              <p>{t("review:decidedAs", { decision: decisionName(d.review.decision ?? "") })}</p>
              <Txt value={d.review.reasons} block />
              {d.review.undo_until && <UndoButton id={props.id} until={d.review.undo_until} onUndo={props.onUndo} />}
            </div>
          ) : d.review.status === "escalated" && !props.senior ? (
            <div class="notice" data-testid="escalated-note">
              <p>{t("review:escalatedNote")}</p>
              {d.review.undo_until && <UndoButton id={props.id} until={d.review.undo_until} onUndo={props.onUndo} />}
            </div>
          ) : !props.canDecide ? (
            <p class="muted">{t("review:readOnly")}</p>
          ) : claim.refused ? (
            <p class="error" role="alert" data-testid="claimed-elsewhere">
              {claim.limit
                ? t("wellness:limitRefused", { reason: claim.refused })
                : t("review:claimedElsewhere", { reason: claim.refused })}
            </p>
          ) : (
            <>
              {d.review.status === "escalated" && <p class="notice">{t("review:escalatedNote")}</p>}
              {claim.until && (
                <p class="muted small" data-testid="claimed">
                  {t("review:claimedUntil", { time: formatDateTime(claim.until, { timeStyle: "short" }) })}
                </p>
              )}
              <DecisionForm {...props} />
            </>
          )}
        </>
      )}
    </section>
  );
}

/** Taking back one's own decision while the window lasts (POST /v1/reviews/{id}/undo). */
function UndoButton(props: { id: number; until: string; onUndo: (id: number) => void }) {
  return (
    <p class="row">
      <button type="button" onClick={() => props.onUndo(props.id)}>
        {t("review:undo", { id: props.id })}
      </button>
      <span class="muted small">
        {t("review:undoUntil", { time: formatDateTime(props.until, { timeStyle: "short" }) })}
      </span>
    </p>
  );
}

/** The queue's filters: kind, bank, platform, language and reason (kept in localStorage). */
function QueueFilterBar(props: { filters: QueueFilters; banks: Bank[]; onChange: (f: QueueFilters) => void }) {
  const f = props.filters;
  // The platform is typed: applied when the reviewer leaves the field or presses Enter.
  const [platform, setPlatform] = useState(f.platform);
  useEffect(() => setPlatform(f.platform), [f.platform]);
  const applyPlatform = () => {
    if (platform.trim() !== f.platform) props.onChange({ ...f, platform: platform.trim() });
  };
  return (
    <form
      class="filters queue-filters"
      aria-label={t("review:filters.aria")}
      data-testid="queue-filters"
      onSubmit={(e) => {
        e.preventDefault();
        applyPlatform();
      }}
    >
      <label>
        {t("review:filters.kind")}
        <select
          name="queue-kind"
          value={f.kind}
          onChange={(e) => props.onChange({ ...f, kind: e.currentTarget.value })}
        >
          <option value="">{t("review:filters.all")}</option>
          {QUEUE_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`review:kind.${k}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("review:filters.bank")}
        <select
          name="queue-bank"
          value={f.bank}
          onChange={(e) => props.onChange({ ...f, bank: e.currentTarget.value })}
        >
          <option value="">{t("review:filters.allBanks")}</option>
          {props.banks.map((b) => (
            <option key={b.id} value={String(b.id)}>
              {b.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("review:filters.platform")}
        <input
          type="text"
          name="queue-platform"
          value={platform}
          maxLength={100}
          dir="auto"
          onInput={(e) => setPlatform(e.currentTarget.value)}
          onBlur={applyPlatform}
        />
      </label>
      <label>
        {t("review:filters.language")}
        <select
          name="queue-language"
          value={f.language}
          onChange={(e) => props.onChange({ ...f, language: e.currentTarget.value })}
        >
          <option value="">{t("review:filters.all")}</option>
          {QUEUE_LANGUAGES.map((l) => (
            <option key={l} value={l}>
              {t(`review:filters.lang.${l}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("review:filters.reason")}
        <select
          name="queue-reason"
          value={f.reason}
          onChange={(e) => props.onChange({ ...f, reason: e.currentTarget.value })}
        >
          <option value="">{t("review:filters.all")}</option>
          {QUEUE_REASONS.map((r) => (
            <option key={r} value={r}>
              {t(`review:reason.${r}`)}
            </option>
          ))}
        </select>
      </label>
      {queueNarrowed(f) && (
        <button type="button" onClick={() => props.onChange({ ...NO_QUEUE_FILTERS })}>
          {t("review:filters.clear")}
        </button>
      )}
    </form>
  );
}

function kindName(kind: string): string {
  return ["image", "video", "text", "url"].includes(kind) ? t(`review:kind.${kind}`) : kind;
}

/** Why the item is queued: the rule and priority, and the stance model's reading with its score. */
function Why(props: { detail: ReviewDetail }) {
  const { review, item } = props.detail;
  const p = formatNumber(review.priority, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const rule = item.actions.find((a) => a.id === review.action_id)?.rule_id;
  const stance = item.stance;
  const score = (x: number) => formatNumber(x, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return (
    <section class="why" aria-labelledby="why-h" data-testid="why">
      <h3 id="why-h">{t("review:why.title")}</h3>
      <p>{rule !== undefined ? t("review:why.queued", { p, rule }) : t("review:why.queuedNoRule", { p })}</p>
      {review.reason && <p data-testid="why-reason">{t(`review:reasonLong.${review.reason}`)}</p>}
      {stance ? (
        <p data-testid="stance">
          {t("review:why.stance", {
            model: stance.model,
            label: ["pro", "anti", "neutral"].includes(stance.label)
              ? t(`review:stanceLabel.${stance.label}`)
              : stance.label,
            score: score(stance.score),
          })}{" "}
          <span class="muted">
            {t("review:why.scores", {
              pro: score(stance.scores.pro),
              anti: score(stance.scores.anti),
              neutral: score(stance.scores.neutral),
            })}
          </span>
        </p>
      ) : (
        <p class="muted">{t("review:why.noStance")}</p>
      )}
    </section>
  );
}

/** The item itself: text shown as text; images and videos behind a blur until revealed. */
function Media(props: {
  api: Api;
  detail: ReviewDetail;
  revealed: boolean;
  onReveal: () => void;
  prefs: WellnessPreferences;
}) {
  const item = props.detail.item;
  const [url, setUrl] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  const visual = item.kind === "image" || item.kind === "video";
  const expired = item.media_expired_at;
  useEffect(() => {
    if (!visual || expired) return;
    let live = true;
    let made: string | undefined;
    props.api
      .blob(`/v1/content/${item.id}/media`)
      .then((blob) => {
        made = URL.createObjectURL(blob as Blob);
        if (live) setUrl(made);
      })
      .catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [item.id]);
  if (!visual)
    return (
      <div class="item-content">
        {item.text !== undefined && <Txt value={item.text} block class="item-text" />}
        {item.url !== undefined && <Txt value={item.url} block class="item-url" />}
        <LinksState hashes={item.hashes} />
      </div>
    );
  // The caption or text sent with an image or video: a harmless-looking picture may carry the message.
  const caption = (
    <div class="caption" data-testid="caption">
      <h3>{t("review:caption", { kind: kindName(item.kind) })}</h3>
      {item.text ? (
        <Txt value={item.text} block class="item-caption" />
      ) : (
        <p class="muted">{t("review:noCaption", { kind: kindName(item.kind) })}</p>
      )}
      {item.url !== undefined && <Txt value={item.url} block class="item-url" />}
      <LinksState hashes={item.hashes} />
    </div>
  );
  if (expired)
    return (
      <div class="media-wrap">
        <p class="muted" data-testid="media-expired">
          {t("review:mediaExpired", { kind: kindName(item.kind), date: formatDate(expired) })}
        </p>
        {caption}
      </div>
    );
  return (
    <div class="media-wrap">
      <div
        class={`media ${props.revealed ? "revealed" : "concealed"}`}
        data-testid="media"
        style={{ "--conceal": concealFilter(props.prefs) }}
      >
        {url &&
          (item.kind === "image" ? (
            <img src={url} alt={props.revealed ? t("review:imageAlt") : t("review:imageAltBlurred")} />
          ) : (
            <video
              src={url}
              muted={!props.prefs.audio}
              controls={props.revealed}
              preload="metadata"
              playsInline
              aria-label={t("review:videoAria")}
            />
          ))}
        {!url && !error && <p class="muted">{t("review:mediaLoading")}</p>}
        <ErrorBox error={error} />
      </div>
      <button type="button" class="reveal" aria-pressed={props.revealed} onClick={props.onReveal}>
        {props.revealed ? t("review:hide") : t("review:reveal")}
      </button>
      <p class="muted">{t("review:mediaNote")}</p>
      {caption}
    </div>
  );
}

function DecisionForm(props: {
  api: Api;
  id: number;
  banks: Bank[];
  draft: DecisionDraft;
  setDraft: (f: (d: DecisionDraft) => DecisionDraft) => void;
  reasonsRef: { current: HTMLTextAreaElement | null };
  restored: boolean;
  onDecided: (message: string, undo?: { id: number; until: string }) => void;
}) {
  const { draft, setDraft } = props;
  const [problems, setProblems] = useState<{ field: string; message: string }[]>([]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [otherEntity, setOtherEntity] = useState("");
  // Messages from the last attempt go once the reviewer changes something.
  useEffect(() => setProblems([]), [draft, otherEntity]);
  const toggle = (key: "entity" | "behaviour", value: string) =>
    setDraft((d) => ({ ...d, [key]: d[key].includes(value) ? d[key].filter((x) => x !== value) : [...d[key], value] }));

  const submit = async (e: Event) => {
    e.preventDefault();
    const full = {
      ...draft,
      entity: [
        ...draft.entity,
        ...otherEntity
          .split(/[\s,]+/)
          .filter(Boolean)
          .map((x) => x.toLowerCase()),
      ],
    };
    const found = validateDraft(full);
    setProblems(found);
    if (found.length) return;
    setBusy(true);
    setError(undefined);
    try {
      const r = await props.api.post<{
        decision: string;
        undo_until?: string;
        added_to_bank: { bank_id: number; signal_ids: number[] } | null;
      }>(`/v1/reviews/${props.id}/decision`, decisionBody(full));
      const bank = r.added_to_bank ? props.banks.find((b) => b.id === r.added_to_bank!.bank_id) : undefined;
      clearDraft(DRAFT);
      props.onDecided(
        r.added_to_bank
          ? t("review:decidedAdded", {
              id: props.id,
              decision: decisionName(r.decision),
              count: r.added_to_bank.signal_ids.length,
              bank: bank?.name ?? t("review:bankN", { id: r.added_to_bank.bank_id }),
            })
          : t("review:decided", { id: props.id, decision: decisionName(r.decision) }),
        r.undo_until ? { id: props.id, until: r.undo_until } : undefined,
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const problem = (field: string) => problems.find((p) => p.field === field)?.message;
  return (
    <form class="decision" noValidate onSubmit={(e) => void submit(e)} aria-label={t("review:formAria")}>
      <fieldset>
        <legend>{t("review:decision.legend")}</legend>
        {DECISIONS.map((dec) => (
          <label key={dec} class="radio">
            <input
              type="radio"
              name="decision"
              value={dec}
              checked={draft.decision === dec}
              onChange={() => setDraft((d) => ({ ...d, decision: dec }))}
            />
            {decisionName(dec)}
          </label>
        ))}
        {problem("decision") && <p class="error">{problem("decision")}</p>}
      </fieldset>
      {draft.decision === "violating" && (
        <fieldset>
          <legend>{t("review:labelsLegend")}</legend>
          <div class="checks" role="group" aria-label={t("review:entity")}>
            <span class="group-name">{t("review:entity")}</span>
            {ENTITIES.map((e) => (
              <label key={e} class="check">
                <input type="checkbox" checked={draft.entity.includes(e)} onChange={() => toggle("entity", e)} /> {e}
              </label>
            ))}
            <label class="check">
              {t("review:otherEntity")}{" "}
              <input class="short" value={otherEntity} onInput={(e) => setOtherEntity(e.currentTarget.value)} />
            </label>
          </div>
          <div class="checks" role="group" aria-label={t("review:behaviour")}>
            <span class="group-name">{t("review:behaviour")}</span>
            {BEHAVIOURS.map((b) => (
              <label key={b} class="check">
                <input type="checkbox" checked={draft.behaviour.includes(b)} onChange={() => toggle("behaviour", b)} />{" "}
                {b}
              </label>
            ))}
          </div>
          {problem("labels") && <p class="error">{problem("labels")}</p>}
        </fieldset>
      )}
      {props.restored && (
        <p class="notice" role="status" data-testid="draft-restored">
          {t("review:draftRestored")}
        </p>
      )}
      <label>
        {t("review:reasons")}
        <textarea
          ref={props.reasonsRef}
          name="reasons"
          rows={3}
          dir="auto"
          required
          value={draft.reasons}
          onInput={(e) => {
            const v = e.currentTarget.value;
            setDraft((d) => ({ ...d, reasons: v }));
          }}
        />
        {problem("reasons") && <span class="error">{problem("reasons")}</span>}
      </label>
      {draft.decision === "violating" && (
        <fieldset>
          <legend>{t("review:addLegend")}</legend>
          <label class="check">
            <input
              type="checkbox"
              checked={draft.addToBank}
              onChange={(e) => {
                const v = e.currentTarget.checked;
                setDraft((d) => ({ ...d, addToBank: v, bankId: d.bankId ?? props.banks[0]?.id }));
              }}
            />
            {t("review:addCheck")}
          </label>
          {draft.addToBank && (
            <label>
              {t("review:bank")}
              <select
                name="bank"
                value={draft.bankId ?? ""}
                onChange={(e) => {
                  const v = Number(e.currentTarget.value);
                  setDraft((d) => ({ ...d, bankId: v || undefined }));
                }}
              >
                {props.banks.length === 0 && <option value="">{t("review:noBank")}</option>}
                {props.banks.map((b) => (
                  <option key={b.id} value={b.id}>
                    {t("review:bankOption", { name: b.name, tlp: b.tlp })}
                  </option>
                ))}
              </select>
            </label>
          )}
          {problem("bank") && <p class="error">{problem("bank")}</p>}
        </fieldset>
      )}
      <ErrorBox error={error} />
      <button type="submit" class="primary" disabled={busy}>
        {busy ? t("review:recording") : t("review:record")}
      </button>
    </form>
  );
}

/**
 * Whether the item's links are still being followed, or could not be (their job used up its
 * attempts: `hashes.links_failed`, decision 0041). Nothing once they were followed.
 */
function LinksState(props: { hashes: unknown }) {
  const h = props.hashes !== null && typeof props.hashes === "object" ? (props.hashes as Record<string, unknown>) : {};
  const failed = h.links_failed as { error?: unknown; attempts?: unknown } | undefined;
  if (failed && typeof failed === "object")
    return (
      <p class="error" data-testid="links-failed">
        {t("review:links.failed", {
          attempts: formatNumber(Number(failed.attempts ?? 0)),
          error: String(failed.error ?? ""),
        })}
      </p>
    );
  if (h.links_pending === true)
    return (
      <p class="muted" data-testid="links-pending">
        {t("review:links.pending")}
      </p>
    );
  return null;
}
