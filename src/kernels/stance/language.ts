/**
 * Language of a short text, for the stance classifier: which texts the model was trained for
 * (Arabic and English) and, for the others, a name. One pass over the folded text, one table
 * lookup per word; no model file. Decision 0014 compares it with cld3 and franc on short texts
 * (training/stance/language-id.csv).
 *   - Arabic script: `ur` when Urdu-only letters (ٹ ڈ ڑ ں ے ہ ھ) occur, `fa` when Persian-only
 *     letters (پ چ ژ گ) occur together with a Persian function word (است، را، می، …), else `ar`
 *     (any dialect: Gulf and Iraqi Arabic also write چ and گ).
 *   - Cyrillic: `uk` with a Ukrainian-only letter, else `ru`.
 *   - Latin script: each word votes for the languages whose list of common words holds it (English,
 *     French, German, Spanish, Italian, Portuguese, Dutch, Turkish, Indonesian, Malay, Somali, and
 *     Arabizi — Arabic in Latin letters, `ar-Latn`, where words with the digits 2 3 5 7 9 count
 *     double, but not years, units or ordinals); the most votes win, English on a tie (one vote less when accented letters occur). With no vote, a text of at most four words
 *     without accented letters is `en` ("ok thanks"), anything else `und`.
 *   - Everything else (other scripts, no letters): `und`.
 */

import type { StanceLanguage } from "./labels.js";
import { scanFolded } from "./fold.js";

const LISTS: Readonly<Record<string, string>> = {
  en:
    "the of and to in is are was were be been it that this for on with as at by from not no they them their he " +
    "she his her we our you your i my me will would can should have has had do does did what who why how all but " +
    "or if so just about more than an there here when ok okay thanks thank lol hi hello yes good great love happy " +
    "today tomorrow night morning day people news breaking killed attack attacks forces army fighters militants " +
    "terrorist terrorists terror group state islamic caliphate jihad jihadi jihadists isis isil daesh syria iraq " +
    "mosul raqqa palmyra destroyed retake retaken free freed death dead bomb bombing brothers brother allah muslims " +
    "muslim kuffar mujahideen soldiers new after before against over under into out up down now still never " +
    "oh please again already some stop stay safe live found get got go going like know think see make want need " +
    "time way back only well much very really one two first last man men women children world city town police",
  fr:
    "le la les des du un une et est je tu il elle nous vous ils elles pas ne que qui pour dans sur avec ce cette " +
    "au aux mon ma mes ton ta tes son sa ses merci bonjour bonsoir tres ai suis sont etait fait comme mais ou " +
    "aujourd hui demain rien tout tous",
  de:
    "der die das und ist ich du nicht ein eine zu mit auf fur den dem sich es wir ihr sie hat habe heute guten " +
    "danke schon sind war wird auch noch nur aber oder wenn wie was wo bist gerade keine kein zeit morgen alle",
  es:
    "el los las de del que y en un una es no por para con se lo mi te muy hoy gracias buenos buenas esta estas " +
    "pero como donde hace vamos mucho muchas todos nada bien",
  it: "il lo gli di che e un una per non con mi ti sono ciao grazie molto anche questo questa oggi come",
  pt: "os as do da dos das que em um uma nao com para por muito obrigado obrigada bom dia voce isso esta",
  nl: "het een en van is ik je niet op dat met voor zijn maar ook heb wat goedemorgen bedankt",
  tr:
    "ve bir bu da de cok ne icin ile ben sen mi mu var yok degil gibi daha nasil bugun tesekkur ederim gunaydin " +
    "saat yarin aksam herkese canim misin olmus",
  id:
    "dan yang di ke dari ini itu dengan untuk saya aku kamu tidak ada akan sudah belum ya juga banyak kita mau " +
    "terima kasih selamat pagi semuanya lagi kemarin besok sama banget hati jalan pergi",
  ms: "dan yang di ke dari ini itu dengan untuk saya tak nak kerana boleh awak jom sahaja semua kawan terima kasih",
  so:
    "waa iyo ka ku oo ay la in u aan ayaa wax waxaan soo uu ee iska haddii dhammaan walaal mahadsanid subax " +
    "wanaagsan hadda maanta berri nabad caano ha",
  "ar-Latn":
    "ana enta enti inta inti wallah walla yalla inshallah inshalla habibi habibti shou shu sho kifak kifik keef " +
    "el 3al mesh msh mish hala2 ktir kteer bokra bukra mabrouk alhamdulillah ya3ni yani akhi ukhti dawla baqiya " +
    "nshoufak mabsout 3ayez",
};

/** The Latin-script languages, in tie-break order (English first). */
const LATIN: readonly StanceLanguage[] = ["en", "fr", "de", "es", "it", "pt", "nl", "tr", "id", "ms", "so", "ar-Latn"];

/** Folded word (at most 8 code units) → bit set of LATIN indices. */
const WORDS = new Map<string, number>();
LATIN.forEach((lang, bit) => {
  for (const w of LISTS[lang]!.split(" ")) WORDS.set(w.slice(0, 8), (WORDS.get(w.slice(0, 8)) ?? 0) | (1 << bit));
});
const ARABIZI_BIT = LATIN.indexOf("ar-Latn");

/** Persian function words (folded: ی → ي, ک → ك). */
const PERSIAN_WORDS = new Set([
  "است",
  "را",
  "مي",
  "اين",
  "براي",
  "هستم",
  "خيلي",
  "چه",
  "كجا",
  "بود",
  "همگي",
  "در",
  "دوست",
  "ممنونم",
]);

function isArabicLetter(c: number): boolean {
  return (c >= 0x0620 && c <= 0x064a) || (c >= 0x066e && c <= 0x06d3) || (c >= 0x0750 && c <= 0x077f);
}

function isLatinLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 0xe0 && c <= 0x24f);
}

function isCyrillic(c: number): boolean {
  return c >= 0x0400 && c <= 0x04ff;
}

/** Accented Latin letters, common in other languages and absent from English. */
const ASCII_OF: Readonly<Record<number, number>> = {};
for (const [from, to] of [
  ["àáâãäå", "a"],
  ["çć", "c"],
  ["èéêë", "e"],
  ["ìíîïı", "i"],
  ["ñ", "n"],
  ["òóôõö", "o"],
  ["ùúûü", "u"],
  ["ğ", "g"],
  ["ş", "s"],
  ["ß", "s"],
] as const) {
  for (const ch of from) (ASCII_OF as Record<number, number>)[ch.charCodeAt(0)] = to.charCodeAt(0);
}

/** Words with digits that are not Arabizi: years and numbers with letters (trump2020), units, ordinals. */
const NOT_ARABIZI = /\d{3}|^\d+(st|nd|rd|th|am|pm|k|m|mm|s|x|g|kg|km|min|h|hrs|d|v)$/;

const votes = new Int32Array(LATIN.length);

/**
 * @example detectLanguage("الدولة الإسلامية باقية") // "ar"
 * @example detectLanguage("Daesh murders civilians") // "en"
 * @example detectLanguage("Bonjour à tous et bonne journée") // "fr"
 * @example detectLanguage("🔥🔥") // "und"
 */
export function detectLanguage(text: string): StanceLanguage {
  let arabic = 0;
  let latin = 0;
  let cyrillic = 0;
  let other = 0;
  let accented = 0;
  let words = 0;
  let digitWords = 0;
  let persianWords = 0;
  let word = "";
  let wordDigits = false;
  let wordLetters = false;
  votes.fill(0);
  const endWord = (): void => {
    if (word === "") return;
    words++;
    const bits = WORDS.get(word);
    if (bits !== undefined) for (let b = 0; b < LATIN.length; b++) if (bits & (1 << b)) votes[b]!++;
    if (wordDigits && wordLetters && !NOT_ARABIZI.test(word)) digitWords++;
    if (PERSIAN_WORDS.has(word)) persianWords++;
    word = "";
    wordDigits = false;
    wordLetters = false;
  };
  scanFolded(text, (c) => {
    if (c === 32) return endWord();
    let k = c;
    if (isArabicLetter(c)) arabic++;
    else if (isLatinLetter(c)) {
      latin++;
      wordLetters = true;
      if (c > 0x7f) {
        accented++;
        k = ASCII_OF[c] ?? c;
      }
    } else if (c >= 48 && c <= 57) {
      if (c === 50 || c === 51 || c === 53 || c === 55 || c === 57) wordDigits = true;
    } else if (isCyrillic(c)) cyrillic++;
    else if (c > 0x7f) other++;
    if (word.length < 8) word += String.fromCharCode(k);
  });
  endWord();
  if (arabic > 0 && arabic >= latin && arabic >= cyrillic && arabic >= other) return arabicScript(text, persianWords);
  if (cyrillic > 0 && cyrillic >= latin && cyrillic >= other) return /[іїєґІЇЄҐ]/.test(text) ? "uk" : "ru";
  if (latin === 0 || latin < other) return "und";
  votes[ARABIZI_BIT] = votes[ARABIZI_BIT]! + 2 * digitWords;
  if (accented > 0) votes[0] = votes[0]! - 1; // English has no accented letters
  let best = 0;
  for (let b = 1; b < LATIN.length; b++) if (votes[b]! > votes[best]!) best = b;
  if (votes[best]! > 0) return LATIN[best]!;
  return words <= 4 && accented === 0 ? "en" : "und";
}

/** Arabic, Urdu or Persian, for a text written mostly in Arabic script (raw letters checked). */
function arabicScript(text: string, persianWords: number): StanceLanguage {
  let urdu = 0;
  let persian = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0679 || c === 0x0688 || c === 0x0691 || c === 0x06ba || c === 0x06d2 || c === 0x06c1 || c === 0x06be)
      urdu++;
    else if (c === 0x067e || c === 0x0686 || c === 0x0698 || c === 0x06af) persian++;
  }
  if (urdu > 0) return "ur";
  if (persianWords > 1 || (persianWords > 0 && persian > 0)) return "fa";
  return "ar";
}
