/** Every migration, in order. Add new ones at the end; never edit a released one. */

import type { Migration } from "kysely";
import * as m0001 from "./0001-signal-banks.js";
import * as m0002 from "./0002-coalition-service.js";
import * as m0003 from "./0003-measurement.js";
import * as m0004 from "./0004-accounts.js";
import * as m0005 from "./0005-action-index.js";
import * as m0006 from "./0006-webhook-endpoints.js";
import * as m0007 from "./0007-key-lifecycle.js";
import * as m0008 from "./0008-audit-chain.js";
import * as m0009 from "./0009-media-store.js";
import * as m0010 from "./0010-job-leases.js";
import * as m0011 from "./0011-job-count-index.js";
import * as m0012 from "./0012-labels.js";
import * as m0013 from "./0013-drop-jobs-ready.js";
import * as m0014 from "./0014-exchanges.js";
import * as m0015 from "./0015-hma-contents.js";
import * as m0016 from "./0016-review-claims.js";
import * as m0017 from "./0017-incidents.js";
import * as m0018 from "./0018-counter-messaging.js";
import * as m0019 from "./0019-links.js";
import * as m0020 from "./0020-content-author.js";
import * as m0021 from "./0021-review-wellness.js";
import * as m0022 from "./0022-bank-recipients.js";
import * as m0023 from "./0023-bank-account-threshold.js";
import * as m0024 from "./0024-org-defaults-review-undo.js";
import * as m0025 from "./0025-review-queue-filters.js";
import * as m0026 from "./0026-opinion-exchange.js";
import * as m0027 from "./0027-exchange-api-credentials.js";

export const MIGRATIONS: Record<string, Migration> = {
  "0001-signal-banks": m0001,
  "0002-coalition-service": m0002,
  "0003-measurement": m0003,
  "0004-accounts": m0004,
  "0005-action-index": m0005,
  "0006-webhook-endpoints": m0006,
  "0007-key-lifecycle": m0007,
  "0008-audit-chain": m0008,
  "0009-media-store": m0009,
  "0010-job-leases": m0010,
  "0011-job-count-index": m0011,
  "0012-labels": m0012,
  "0013-drop-jobs-ready": m0013,
  "0014-exchanges": m0014,
  "0015-hma-contents": m0015,
  "0016-review-claims": m0016,
  "0017-incidents": m0017,
  "0018-counter-messaging": m0018,
  "0019-links": m0019,
  "0020-content-author": m0020,
  "0021-review-wellness": m0021,
  "0022-bank-recipients": m0022,
  "0023-bank-account-threshold": m0023,
  "0024-org-defaults-review-undo": m0024,
  "0025-review-queue-filters": m0025,
  "0026-opinion-exchange": m0026,
  "0027-exchange-api-credentials": m0027,
};
