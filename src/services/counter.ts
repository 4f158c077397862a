/**
 * Counter-messaging (issue 20), composed: the library and its keyword sets, the redirect
 * lookup, the events platforms report and the campaign figures — one object the HTTP routes
 * and the CLI share. docs/counter-messaging.md describes the whole; decision 0024 the choices.
 */

import type { StanceClassifier } from "../core/stance.js";
import { trackingKey } from "../kernels/crypto/tracking-token.js";
import type { SignalStore, CounterStore } from "../storage/ports/index.js";
import type { Principal } from "./access.js";
import { CounterEvents } from "./counter-events.js";
import { CounterFigures } from "./counter-figures.js";
import { CounterLibrary } from "./counter-library.js";
import type { Matcher } from "./matcher.js";
import { RedirectService } from "./redirect.js";

export class CounterService {
  readonly library: CounterLibrary;
  readonly redirect: RedirectService;
  readonly events: CounterEvents;
  readonly figures: CounterFigures;

  constructor(
    deps: {
      readonly store: CounterStore;
      readonly classifier: StanceClassifier;
      readonly matcher: Matcher;
      readonly signals: Pick<SignalStore, "getSignals">;
      readonly visibleBankIds: (who: Principal) => Promise<ReadonlySet<number>>;
    },
    secretKey: Uint8Array,
    options: { readonly refreshMs?: number } = {},
  ) {
    const tokens = trackingKey(secretKey);
    this.library = new CounterLibrary(deps.store, options);
    this.redirect = new RedirectService({ ...deps, library: this.library }, tokens);
    this.events = new CounterEvents(deps.store, secretKey, tokens);
    this.figures = new CounterFigures(deps.store);
  }
}
