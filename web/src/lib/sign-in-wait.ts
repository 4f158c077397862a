/**
 * What the sign-in screen says when the server makes it wait (429): too many failed sign-ins
 * for the account (`auth.locked`) or from this address (`rate_limited`), with the wait in
 * English and Arabic, and how long to keep the button off.
 */

import { ApiError } from "./api.js";

export interface SignInWait {
  readonly seconds: number;
  readonly scope: "account" | "address";
}

/** The wait the server asked for, or undefined when `error` is not a sign-in back-off. */
export function signInWait(error: unknown): SignInWait | undefined {
  if (!(error instanceof ApiError) || error.status !== 429) return undefined;
  const m = /try again in (\d+) s/.exec(error.message);
  const seconds = m ? Number(m[1]) : 60;
  return { seconds: Math.max(1, seconds), scope: error.code === "auth.locked" ? "account" : "address" };
}

/** "45 seconds", "2 minutes" (whole minutes, rounded up, past 90 s). */
export function waitEnglish(seconds: number): string {
  if (seconds > 90) {
    const m = Math.ceil(seconds / 60);
    return `${m} minutes`;
  }
  return seconds === 1 ? "1 second" : `${seconds} seconds`;
}

/** The same in Arabic, with the number agreement Arabic needs (1, 2, 3–10, 11+). */
export function waitArabic(seconds: number): string {
  const minutes = seconds > 90;
  const n = minutes ? Math.ceil(seconds / 60) : seconds;
  const [one, two, few, many] = minutes
    ? ["دقيقة واحدة", "دقيقتين", "دقائق", "دقيقة"]
    : ["ثانية واحدة", "ثانيتين", "ثوانٍ", "ثانية"];
  if (n === 1) return one;
  if (n === 2) return two;
  return `${n} ${n <= 10 ? few : many}`;
}

/** The message in both languages. */
export function waitMessages(w: SignInWait): { en: string; ar: string } {
  return w.scope === "account"
    ? {
        en: `Too many failed sign-ins for this account. Try again in ${waitEnglish(w.seconds)}.`,
        ar: `محاولات دخول فاشلة كثيرة لهذا الحساب. حاول مرة أخرى بعد ${waitArabic(w.seconds)}.`,
      }
    : {
        en: `Too many sign-in attempts from this address. Try again in ${waitEnglish(w.seconds)}.`,
        ar: `محاولات دخول كثيرة من هذا العنوان. حاول مرة أخرى بعد ${waitArabic(w.seconds)}.`,
      };
}
