/** The language and digits switch in the header: both remembered in this browser. */

import { digits, type Digits, type Locale, locale, LOCALES, setDigits, setLocale, t } from "./lib/i18n.js";

export function LocalePicker() {
  return (
    <span class="prefs">
      <label>
        <span class="sr-only">{t("prefs.language")}</span>
        <select
          aria-label={t("prefs.language")}
          value={locale()}
          onChange={(e) => setLocale((e.currentTarget as HTMLSelectElement).value as Locale)}
        >
          {LOCALES.map((l) => (
            <option key={l} value={l} lang={l}>
              {t(`prefs.${l}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span class="sr-only">{t("prefs.digits")}</span>
        <select
          aria-label={t("prefs.digits")}
          value={digits()}
          onChange={(e) => setDigits((e.currentTarget as HTMLSelectElement).value as Digits)}
        >
          <option value="latn">{t("prefs.latn")}</option>
          <option value="arab">{t("prefs.arab")}</option>
        </select>
      </label>
    </span>
  );
}
