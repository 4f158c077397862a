/**
 * Keyword sets matched in one pass: an Aho–Corasick automaton over the normal form
 * (`normalizeText`: Arabic letter variants, marks and tatweel folded, case, look-alikes), built
 * once per change of the sets and shared by every lookup. A keyword matches where a word of
 * the text starts — or after an Arabic proclitic (و ف ب ل ك, with or without ال), so that
 * "والخلافة" finds "خلافة" — and may run on into a suffix ("caliphates", "الخلافه"). Pure.
 */

import { normalizeText } from "./normalize.js";

/** One curated keyword: its phrase and what it is a sign of (a narrative, say). */
export interface Keyword<T> {
  readonly phrase: string;
  readonly tag: T;
}

/** One keyword found in a text. */
export interface KeywordHit<T> {
  readonly tag: T;
  /** The phrase as curated. */
  readonly phrase: string;
}

/** Arabic proclitics a word may carry before a keyword (the conjunctions and prepositions). */
const PROCLITICS = ["و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل", "وك"];
const ARABIC_LETTER = /^[\u0621-\u064A]/;

interface Node {
  readonly next: Map<string, number>;
  fail: number;
  /** Indices of the keywords ending here (own and through failure links). */
  out: number[];
}

export class KeywordAutomaton<T> {
  private readonly nodes: Node[] = [{ next: new Map(), fail: 0, out: [] }];
  private readonly keywords: { phrase: string; tag: T }[] = [];

  /** Builds the automaton of `keywords`; phrases whose normal form is empty are left out. */
  constructor(keywords: Iterable<Keyword<T>>) {
    for (const k of keywords) {
      const key = normalizeText(k.phrase);
      if (key === "") continue;
      const index = this.keywords.push({ phrase: k.phrase, tag: k.tag }) - 1;
      this.insert(` ${key}`, index);
      if (ARABIC_LETTER.test(key)) for (const p of PROCLITICS) this.insert(` ${p}${key}`, index);
    }
    this.link();
  }

  /** How many keywords it holds. */
  get size(): number {
    return this.keywords.length;
  }

  private insert(pattern: string, index: number): void {
    let state = 0;
    for (const ch of pattern) {
      let next = this.nodes[state]!.next.get(ch);
      if (next === undefined) {
        next = this.nodes.push({ next: new Map(), fail: 0, out: [] }) - 1;
        this.nodes[state]!.next.set(ch, next);
      }
      state = next;
    }
    this.nodes[state]!.out.push(index);
  }

  /** Failure links, breadth first; each node's outputs gain its failure node's. */
  private link(): void {
    const queue: number[] = [...this.nodes[0]!.next.values()];
    for (let head = 0; head < queue.length; head++) {
      const u = queue[head]!;
      for (const [ch, v] of this.nodes[u]!.next) {
        let f = this.nodes[u]!.fail;
        while (f !== 0 && !this.nodes[f]!.next.has(ch)) f = this.nodes[f]!.fail;
        const target = this.nodes[f]!.next.get(ch);
        this.nodes[v]!.fail = target !== undefined && target !== v ? target : 0;
        this.nodes[v]!.out = [...new Set([...this.nodes[v]!.out, ...this.nodes[this.nodes[v]!.fail]!.out])];
        queue.push(v);
      }
    }
  }

  /**
   * Every keyword found in `text` (each once, in the order first found).
   * @example new KeywordAutomaton([{ phrase: "الخلافة", tag: "caliphate-utopia" }]).find("عاشت والخلافةُ")
   *   // [{ tag: "caliphate-utopia", phrase: "الخلافة" }]
   */
  find(text: string): KeywordHit<T>[] {
    return this.findNormalized(normalizeText(text));
  }

  /** `find` on a text already in normal form (`normalizeText`), to normalise once for several lookups. */
  findNormalized(key: string): KeywordHit<T>[] {
    const found = new Set<number>();
    let state = 0;
    for (const ch of ` ${key}`) {
      let next = this.nodes[state]!.next.get(ch);
      while (next === undefined && state !== 0) {
        state = this.nodes[state]!.fail;
        next = this.nodes[state]!.next.get(ch);
      }
      state = next ?? 0;
      for (const i of this.nodes[state]!.out) found.add(i);
    }
    return [...found].map((i) => ({ tag: this.keywords[i]!.tag, phrase: this.keywords[i]!.phrase }));
  }
}
