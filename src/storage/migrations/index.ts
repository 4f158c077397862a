/** Every migration, in order. Add new ones at the end; never edit a released one. */

import type { Migration } from "kysely";
import * as m0001 from "./0001-signal-banks.js";

export const MIGRATIONS: Record<string, Migration> = {
  "0001-signal-banks": m0001,
};
