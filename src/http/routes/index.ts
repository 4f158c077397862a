/** Every route of the API, in one list: the app registers it and the authorisation test walks it. */

import type { Services } from "../../server/services.js";
import type { RouteDef } from "../route.js";
import { bankRoutes } from "./banks.js";
import { contentRoutes } from "./content.js";
import { hmaRoutes } from "./hma.js";
import { memberRoutes } from "./members.js";
import { ruleRoutes } from "./rules.js";
import { statusRoutes } from "./status.js";

export function allRoutes(s: Services): RouteDef[] {
  return [
    ...statusRoutes(s),
    ...memberRoutes(s),
    ...bankRoutes(s),
    ...contentRoutes(s),
    ...ruleRoutes(s),
    ...hmaRoutes(s),
  ];
}
