/**
 * The review queue. Safe by default: media is blurred and greyscale until the reviewer
 * reveals it, one item at a time (moving to another item hides it again); videos are muted
 * and never play by themselves. Beside the item: the matched signals with their bank,
 * distance and labels. Decisions come from a fixed taxonomy with a statement of reasons;
 * a violating item can go into a bank in the same step.
 */

import { useEffect, useRef, useState } from "preact/hooks";
import type { Api } from "./lib/api.js";
import { REVIEW_SHORTCUTS, reviewAction } from "./lib/shortcuts.js";
import {
  BEHAVIOURS,
  DECISIONS,
  DECISION_NAMES,
  EMPTY_DRAFT,
  ENTITIES,
  decisionBody,
  validateDraft,
  type DecisionDraft,
} from "./lib/taxonomy.js";
import { ago } from "./lib/time.js";
import type { Bank, Me, ReviewDetail, ReviewEntry } from "./lib/types.js";
import { ErrorBox, LabelChips, Txt, useLoad } from "./ui.js";

export function Review(props: { api: Api; me: Me }) {
  const queue = useLoad(() => props.api.get<{ reviews: ReviewEntry[] }>("/v1/reviews?status=open&limit=100"), []);
  const banks = useLoad(() => props.api.get<{ banks: Bank[] }>("/v1/banks"), []);
  const [selected, setSelected] = useState<number | undefined>();
  const [revealed, setRevealed] = useState<number | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const reasonsRef = useRef<HTMLTextAreaElement>(null);
  const [draft, setDraft] = useState<DecisionDraft>(EMPTY_DRAFT);
  const reviews = queue.data?.reviews ?? [];
  const current = selected ?? reviews[0]?.id;
  const canDecide = props.me.permissions.includes("review.decide");
  const ownBanks = (banks.data?.banks ?? []).filter((b) => b.org_id === props.me.org.id && !b.negative);

  const select = (id: number | undefined) => {
    setSelected(id);
    setRevealed(undefined); // revealing is per item: another item starts hidden
    setDraft(EMPTY_DRAFT);
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
        <h1>Review queue</h1>
        <p class="shortcuts" aria-label="Keyboard shortcuts">
          Keys:{" "}
          {REVIEW_SHORTCUTS.map((s) => (
            <span key={s.key}>
              <kbd>{s.key}</kbd> {s.help}
            </span>
          ))}
        </p>
      </div>
      {done && (
        <p class="success" role="status">
          {done}
        </p>
      )}
      <ErrorBox error={queue.error} />
      <div class="review-layout">
        <nav class="queue" aria-label="Items waiting for a decision">
          <h2>Waiting ({reviews.length})</h2>
          {reviews.length === 0 && !queue.loading && <p class="muted">Nothing is waiting for review.</p>}
          <ol>
            {reviews.map((r) => (
              <li key={r.id}>
                <button
                  type="button"
                  class="queue-item"
                  aria-current={r.id === current ? "true" : undefined}
                  onClick={() => select(r.id)}
                >
                  <span>Review #{r.id}</span>
                  <span class="muted">
                    item {r.item_id} · {ago(r.created_at, Date.now())}
                  </span>
                  {r.priority !== undefined && <span class="priority">priority {Number(r.priority).toFixed(2)}</span>}
                </button>
              </li>
            ))}
          </ol>
        </nav>
        {current !== undefined && (
          <ReviewItem
            key={current}
            api={props.api}
            id={current}
            revealed={revealed === current}
            onReveal={() => setRevealed((r) => (r === current ? undefined : current))}
            canDecide={canDecide}
            banks={ownBanks}
            draft={draft}
            setDraft={setDraft}
            reasonsRef={reasonsRef}
            onDecided={(message) => {
              setDone(message);
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
  banks: Bank[];
  draft: DecisionDraft;
  setDraft: (f: (d: DecisionDraft) => DecisionDraft) => void;
  reasonsRef: { current: HTMLTextAreaElement | null };
  onDecided: (message: string) => void;
}) {
  const detail = useLoad(() => props.api.get<ReviewDetail>(`/v1/reviews/${props.id}`), [props.id]);
  const d = detail.data;
  return (
    <section class="item-detail" aria-labelledby="item-h">
      <h2 id="item-h">Review #{props.id}</h2>
      <ErrorBox error={detail.error} />
      {d && (
        <>
          <Media api={props.api} detail={d} revealed={props.revealed} onReveal={props.onReveal} />
          <dl class="facts">
            <div>
              <dt>Kind</dt>
              <dd>{d.item.kind}</dd>
            </div>
            <div>
              <dt>Content id</dt>
              <dd>
                <Txt value={d.item.content_id || "—"} />
              </dd>
            </div>
            <div>
              <dt>Author</dt>
              <dd>
                <Txt value={d.item.author_id || "—"} />
              </dd>
            </div>
            <div>
              <dt>Received</dt>
              <dd>{d.item.timestamps.received_at?.replace("T", " ").slice(0, 19) ?? "—"}</dd>
            </div>
          </dl>
          <h3>Matched signals</h3>
          {d.matched_signals.length === 0 ? (
            <p class="muted">No visible signal matched.</p>
          ) : (
            <ul class="matches">
              {d.matched_signals.map((m) => (
                <li key={m.signal.id} class={m.suppressed ? "suppressed" : ""}>
                  <div class="match-head">
                    <span class="badge">{m.signal.type}</span> in <strong>{m.bank.name}</strong>{" "}
                    <span class="badge tlp">TLP:{m.bank.tlp}</span>{" "}
                    {m.distance !== undefined && <span>distance {m.distance}</span>}
                    {m.similarity !== undefined && <span>similarity {(m.similarity * 100).toFixed(0)}%</span>}
                    {m.suppressed && <span> (suppressed by an allow-list)</span>}
                  </div>
                  <Txt value={m.signal.value} block class="signal-value" />
                  <LabelChips labels={m.signal.labels} />
                </li>
              ))}
            </ul>
          )}
          {props.canDecide ? (
            <DecisionForm {...props} />
          ) : (
            <p class="muted">Your role may read the queue but not decide.</p>
          )}
        </>
      )}
    </section>
  );
}

/** The item itself: text shown as text; images and videos behind a blur until revealed. */
function Media(props: { api: Api; detail: ReviewDetail; revealed: boolean; onReveal: () => void }) {
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
      </div>
    );
  if (expired)
    return (
      <div class="media-wrap">
        <p class="muted" data-testid="media-expired">
          Media expired: the {item.kind} was deleted on {expired.slice(0, 10)} under the media retention policy. Its
          hashes, matches and decisions are kept.
        </p>
      </div>
    );
  return (
    <div class="media-wrap">
      <div class={`media ${props.revealed ? "revealed" : "concealed"}`} data-testid="media">
        {url &&
          (item.kind === "image" ? (
            <img src={url} alt={props.revealed ? "the item under review" : "the item under review, blurred"} />
          ) : (
            <video
              src={url}
              muted
              controls={props.revealed}
              preload="metadata"
              playsInline
              aria-label="the video under review"
            />
          ))}
        {!url && !error && <p class="muted">Loading the media…</p>}
        <ErrorBox error={error} />
      </div>
      <button type="button" class="reveal" aria-pressed={props.revealed} onClick={props.onReveal}>
        {props.revealed ? "Hide media (r)" : "Reveal media (r)"}
      </button>
      <p class="muted">Media is blurred and greyscale until you reveal it; videos are muted.</p>
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
  onDecided: (message: string) => void;
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
        added_to_bank: { bank_id: number; signal_ids: number[] } | null;
      }>(`/v1/reviews/${props.id}/decision`, decisionBody(full));
      const bank = r.added_to_bank ? props.banks.find((b) => b.id === r.added_to_bank!.bank_id) : undefined;
      props.onDecided(
        `Review #${props.id}: ${DECISION_NAMES[r.decision as keyof typeof DECISION_NAMES] ?? r.decision}` +
          (r.added_to_bank
            ? `; ${r.added_to_bank.signal_ids.length} signal(s) added to ${bank?.name ?? `bank ${r.added_to_bank.bank_id}`}`
            : "") +
          ".",
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const problem = (field: string) => problems.find((p) => p.field === field)?.message;
  return (
    <form class="decision" noValidate onSubmit={(e) => void submit(e)} aria-label="Decision">
      <fieldset>
        <legend>Decision</legend>
        {DECISIONS.map((dec) => (
          <label key={dec} class="radio">
            <input
              type="radio"
              name="decision"
              value={dec}
              checked={draft.decision === dec}
              onChange={() => setDraft((d) => ({ ...d, decision: dec }))}
            />
            {DECISION_NAMES[dec]}
          </label>
        ))}
        {problem("decision") && <p class="error">{problem("decision")}</p>}
      </fieldset>
      {draft.decision === "violating" && (
        <fieldset>
          <legend>Labels</legend>
          <div class="checks" role="group" aria-label="Entity">
            <span class="group-name">Entity</span>
            {ENTITIES.map((e) => (
              <label key={e} class="check">
                <input type="checkbox" checked={draft.entity.includes(e)} onChange={() => toggle("entity", e)} /> {e}
              </label>
            ))}
            <label class="check">
              other <input class="short" value={otherEntity} onInput={(e) => setOtherEntity(e.currentTarget.value)} />
            </label>
          </div>
          <div class="checks" role="group" aria-label="Behaviour">
            <span class="group-name">Behaviour</span>
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
      <label>
        Statement of reasons (required)
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
          <legend>Add to a bank</legend>
          <label class="check">
            <input
              type="checkbox"
              checked={draft.addToBank}
              onChange={(e) => {
                const v = e.currentTarget.checked;
                setDraft((d) => ({ ...d, addToBank: v, bankId: d.bankId ?? props.banks[0]?.id }));
              }}
            />
            Add this item's hashes to a bank
          </label>
          {draft.addToBank && (
            <label>
              Bank
              <select
                name="bank"
                value={draft.bankId ?? ""}
                onChange={(e) => {
                  const v = Number(e.currentTarget.value);
                  setDraft((d) => ({ ...d, bankId: v || undefined }));
                }}
              >
                {props.banks.length === 0 && <option value="">(your organisation has no bank)</option>}
                {props.banks.map((b) => (
                  <option key={b.id} value={b.id}>
                    {b.name} (TLP:{b.tlp})
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
        {busy ? "Recording…" : "Record decision"}
      </button>
    </form>
  );
}
