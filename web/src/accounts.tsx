/**
 * Accounts on screen (issue 19): a suspended account's profile card (banks screen and review),
 * and the ban-evasion view beside a review entry — the submitted account and the suspended one
 * side by side, the evidence per feature, the score against the threshold. Links are shown as
 * defanged text, never as links. The avatar is concealed (the person's blur and greyscale) until
 * revealed by an explicit click or key; rasd keeps no avatar image, only its PDQ hash, so the
 * picture is the hash's 256 bits (what the avatar evidence compares), 16 × 16.
 */

import type { ComponentChildren } from "preact";
import { useId, useState } from "preact/hooks";
import type { Api } from "./lib/api.js";
import {
  EVIDENCE_KINDS,
  HANDLE_VARIANTS,
  defang,
  evidenceByKind,
  parseAccount,
  passes,
  pdqBits,
  pdqDistance,
  type AccountRecordView,
  type EvidenceView,
} from "./lib/accounts.js";
import { formatDate, formatNumber, t } from "./lib/i18n.js";
import type { ReviewAccounts } from "./lib/types.js";
import { concealFilter, type WellnessPreferences } from "./lib/wellness.js";
import { ErrorBox, LabelChips, TlpBadge, Txt, useLoad } from "./ui.js";
import { SAFE_DEFAULTS } from "./wellness.js";

const two = (x: number) => formatNumber(x, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function date(d: string | undefined) {
  if (!d) return "—";
  return Number.isNaN(Date.parse(d)) ? <Txt value={d} /> : <time dateTime={d}>{formatDate(d)}</time>;
}

/** The avatar's hash as a picture, concealed until revealed; with `other`, the bits that differ are marked. */
export function Avatar(props: {
  pdq?: string;
  other?: string;
  prefs: Pick<WellnessPreferences, "blur" | "greyscale">;
  revealed: boolean;
  onReveal: () => void;
  /** Whose avatar, for the accessible names ("@handle"). */
  who: string;
}) {
  const id = useId();
  if (!props.pdq)
    return (
      <div class="avatar none" data-testid="avatar">
        <p class="muted small">{t("accounts:avatar.none")}</p>
      </div>
    );
  const bits = pdqBits(props.pdq);
  const other = props.other ? pdqBits(props.other) : undefined;
  const differ = props.other ? pdqDistance(props.pdq, props.other) : undefined;
  return (
    <div class="avatar" data-testid="avatar">
      <div
        id={id}
        class={`avatar-box ${props.revealed ? "revealed" : "concealed"}`}
        style={{ "--conceal": concealFilter(props.prefs) }}
        data-testid="avatar-box"
      >
        <svg
          viewBox="0 0 16 16"
          role="img"
          aria-label={
            props.revealed
              ? t("accounts:avatar.alt", { who: props.who })
              : t("accounts:avatar.altConcealed", { who: props.who })
          }
          shape-rendering="crispEdges"
        >
          <rect width="16" height="16" fill="#f4f4f4" />
          {bits.map((on, i) =>
            on || (other && other[i] !== on) ? (
              <rect
                key={i}
                x={i % 16}
                y={Math.floor(i / 16)}
                width="1"
                height="1"
                fill={other && other[i] !== on ? "#c4002b" : "#1d2b3a"}
              />
            ) : null,
          )}
        </svg>
      </div>
      <button
        type="button"
        class="reveal small"
        aria-pressed={props.revealed}
        aria-controls={id}
        onClick={props.onReveal}
      >
        {props.revealed ? t("accounts:avatar.hide") : t("accounts:avatar.reveal")}
      </button>
      <p class="muted small">
        {differ !== undefined ? t("accounts:avatar.noteDiffer", { d: differ }) : t("accounts:avatar.note")}
      </p>
    </div>
  );
}

/** A profile card: handle, name, bio, platform, dates, reasons, links (defanged text) and linked accounts. */
export function ProfileCard(props: {
  account: AccountRecordView;
  prefs: Pick<WellnessPreferences, "blur" | "greyscale">;
  revealed: boolean;
  onReveal: () => void;
  /** The other account's avatar hash (side by side): the bits that differ are marked. */
  otherPdq?: string;
  /** A heading above the card ("Submitted account", "Suspended account"). */
  title?: string;
  children?: ComponentChildren;
}) {
  const a = props.account;
  const headingId = useId();
  return (
    <article class="profile-card" aria-labelledby={headingId} data-testid="profile-card">
      {props.title && <p class="card-role">{props.title}</p>}
      <div class="profile-head">
        <Avatar
          pdq={a.avatar_pdq}
          other={props.otherPdq}
          prefs={props.prefs}
          revealed={props.revealed}
          onReveal={props.onReveal}
          who={`@${a.handle}`}
        />
        <div class="profile-names">
          <h3 id={headingId} class="handle">
            <bdi dir="ltr">@{a.handle}</bdi>
          </h3>
          {a.name && <Txt value={a.name} class="display-name" />}
          <span class="badge platform">{a.platform}</span>
        </div>
      </div>
      {a.bio ? <Txt value={a.bio} block class="bio" /> : <p class="muted small">{t("accounts:card.noBio")}</p>}
      <dl class="facts">
        {a.id && (
          <div>
            <dt>{t("accounts:card.id")}</dt>
            <dd>
              <bdi dir="ltr">{a.id}</bdi>
            </dd>
          </div>
        )}
        <div>
          <dt>{t("accounts:card.created")}</dt>
          <dd>{date(a.created)}</dd>
        </div>
        <div>
          <dt>{t("accounts:card.suspended")}</dt>
          <dd>{date(a.suspended)}</dd>
        </div>
      </dl>
      <h4>{t("accounts:card.reasons")}</h4>
      {a.reason?.length ? (
        <ul class="chips" aria-label={t("accounts:card.reasons")}>
          {a.reason.map((r) => (
            <li key={r} class="chip chip-behaviour">
              {r}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted small">{t("accounts:card.noReasons")}</p>
      )}
      <h4>{t("accounts:card.links")}</h4>
      {a.links?.length ? (
        <>
          <ul class="defanged" data-testid="profile-links">
            {a.links.map((l) => (
              <li key={l}>
                <code dir="ltr">{defang(l)}</code>
              </li>
            ))}
          </ul>
          <p class="muted small">{t("accounts:card.linksNote")}</p>
        </>
      ) : (
        <p class="muted small">{t("accounts:card.noLinks")}</p>
      )}
      <h4>{t("accounts:card.linked")}</h4>
      {a.mentions?.length ? (
        <ul class="linked" data-testid="linked-accounts">
          {a.mentions.map((m) => (
            <li key={m}>
              <bdi dir="ltr">@{m}</bdi>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted small">{t("accounts:card.noLinked")}</p>
      )}
      {props.children}
    </article>
  );
}

/** A one-line summary of an account signal's value (lists and match rows), or undefined. */
export function accountSummary(value: string): string | undefined {
  const a = parseAccount(value);
  if (!a) return undefined;
  return t("accounts:summary", { handle: `@${a.handle}`, name: a.name ?? "", platform: a.platform });
}

function variantName(v: string | undefined): string {
  return v && (HANDLE_VARIANTS as readonly string[]).includes(v) ? t(`accounts:variant.${v}`) : (v ?? "");
}

/** Latin text isolated left-to-right inside a sentence of either direction (U+2066 … U+2069). */
const ltr = (text: string): string => `\u2066${text}\u2069`;

/** What one feature's evidence says, in words. */
function evidenceText(kind: string, e: EvidenceView | undefined, submitted?: string, suspended?: string): string {
  if (kind === "avatar" && !e && submitted && suspended)
    return t("accounts:evidence.avatarFar", { d: pdqDistance(submitted, suspended) });
  if (!e) return t("accounts:evidence.none");
  switch (kind) {
    case "platform-id":
      return t("accounts:evidence.platformIdIs", { id: ltr(e.value ?? "") });
    case "handle":
      return t("accounts:evidence.handleIs", {
        variant: variantName(e.variant),
        query: ltr(`@${e.query ?? ""}`),
        matched: ltr(`@${e.matched ?? ""}`),
        s: two(e.similarity ?? 0),
      });
    case "name":
      return t("accounts:evidence.nameIs", { s: two(e.similarity ?? 0) });
    case "bio":
      return t("accounts:evidence.bioIs", { s: two(e.similarity ?? 0) });
    case "avatar":
      return t("accounts:evidence.avatarIs", { d: e.distance ?? 0 });
    case "links":
    case "mentions":
      return t(`accounts:evidence.${kind}Is`, { count: e.shared?.length ?? 0 });
    default:
      return kind;
  }
}

/** The ban-evasion view beside a review entry: both accounts side by side, evidence, score and threshold. */
export function BanEvasion(props: {
  api: Api;
  reviewId: number;
  prefs: WellnessPreferences;
  revealed: boolean;
  onReveal: () => void;
}) {
  const loaded = useLoad(
    () => props.api.get<ReviewAccounts>(`/v1/reviews/${props.reviewId}/accounts`),
    [props.reviewId],
  );
  const v = loaded.data;
  if (loaded.error) return <ErrorBox error={loaded.error} />;
  if (!v || v.matches.length === 0) return null;
  const submitted = parseAccount(v.submitted);
  return (
    <section class="ban-evasion" aria-labelledby="ban-h" data-testid="ban-evasion">
      <h3 id="ban-h">{t("accounts:ban.title")}</h3>
      <p class="muted">{t("accounts:ban.lead")}</p>
      {v.matches.map((m) => {
        const suspended = parseAccount(m.account);
        const byKind = evidenceByKind(m.evidence as EvidenceView[]);
        const ok = passes(m.score, m.threshold);
        return (
          <div key={m.signal_id} class="ban-match" data-testid="ban-match">
            <p class="score-line" data-testid="ban-score">
              <strong>{t("accounts:ban.score", { score: two(m.score), threshold: two(m.threshold) })}</strong>{" "}
              <span class={ok ? "pass" : "fail"}>{ok ? t("accounts:ban.passes") : t("accounts:ban.below")}</span>{" "}
              <span class="muted">{t("accounts:ban.inBank", { bank: m.bank.name, org: m.bank.org_name })}</span>{" "}
              <TlpBadge tlp={m.bank.tlp} />
              {m.suppressed && <span class="badge">{t("accounts:ban.suppressed")}</span>}
              {m.status === "retracted" && <span class="badge">{t("accounts:ban.retracted")}</span>}
            </p>
            <meter
              min={0}
              max={1}
              value={m.score}
              low={m.threshold}
              optimum={0}
              aria-label={t("accounts:ban.meter", { score: two(m.score), threshold: two(m.threshold) })}
            />
            <div class="side-by-side">
              {submitted ? (
                <ProfileCard
                  title={t("accounts:ban.submitted")}
                  account={submitted}
                  otherPdq={suspended?.avatar_pdq}
                  prefs={props.prefs}
                  revealed={props.revealed}
                  onReveal={props.onReveal}
                />
              ) : (
                <p class="muted">{t("accounts:ban.noSubmitted")}</p>
              )}
              {suspended && (
                <ProfileCard
                  title={t("accounts:ban.suspended")}
                  account={suspended}
                  otherPdq={submitted?.avatar_pdq}
                  prefs={props.prefs}
                  revealed={props.revealed}
                  onReveal={props.onReveal}
                >
                  <LabelChips labels={m.labels as Parameters<typeof LabelChips>[0]["labels"]} />
                </ProfileCard>
              )}
            </div>
            <div class="table-wrap">
              <table class="evidence" data-testid="evidence">
                <caption>{t("accounts:evidence.caption")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("accounts:evidence.feature")}</th>
                    <th scope="col">{t("accounts:evidence.found")}</th>
                    <th scope="col">{t("accounts:evidence.strength")}</th>
                  </tr>
                </thead>
                <tbody>
                  {EVIDENCE_KINDS.filter((k) => k !== "platform-id" || byKind.has(k)).map((k) => {
                    const e = byKind.get(k);
                    return (
                      <tr key={k} class={e ? "has" : "none"} data-kind={k}>
                        <th scope="row">{t(`accounts:feature.${k}`)}</th>
                        <td>
                          {evidenceText(k, e, submitted?.avatar_pdq, suspended?.avatar_pdq)}
                          {e?.shared?.length ? (
                            <ul class="shared">
                              {e.shared.map((x) => (
                                <li key={x}>
                                  <code dir="ltr">{k === "links" ? defang(x) : `@${x}`}</code>
                                </li>
                              ))}
                            </ul>
                          ) : null}
                        </td>
                        <td>{e ? two(e.strength) : "—"}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            <p class="muted small">
              {v.matches.length > 0 && m.evidence_source === "recomputed"
                ? t("accounts:ban.recomputed")
                : t("accounts:ban.strengthNote")}
            </p>
          </div>
        );
      })}
    </section>
  );
}

/**
 * An account signal in the banks screen: its profile card, the avatar concealed with the
 * person's review settings (or the safe defaults when they have none to read) until shown.
 */
export function AccountCard(props: { api: Api; value: string }) {
  const prefs = useLoad(
    () =>
      props.api
        .get<{ preferences: WellnessPreferences }>("/v1/reviews/wellness")
        .then((r) => r.preferences)
        .catch(() => SAFE_DEFAULTS),
    [],
  );
  const [revealed, setRevealed] = useState(false);
  const account = parseAccount(props.value);
  if (!account) return <Txt value={props.value} block class="signal-value big" />;
  return (
    <>
      <ProfileCard
        account={account}
        prefs={prefs.data ?? SAFE_DEFAULTS}
        revealed={revealed}
        onReveal={() => setRevealed((r) => !r)}
      />
      <p class="muted small">{t("accounts:banks.wellnessNote")}</p>
      <details class="raw">
        <summary>{t("accounts:card.raw")}</summary>
        <Txt value={props.value} block class="signal-value" />
      </details>
    </>
  );
}
