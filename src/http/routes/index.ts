/** Every route of the API, in one list: the app registers it and the authorisation test walks it. */

import type { Services } from "../../server/services.js";
import type { RouteDef } from "../route.js";
import { accountRoutes } from "./accounts.js";
import { auditRoutes } from "./audit.js";
import { bankRoutes } from "./banks.js";
import { changeRoutes } from "./changes.js";
import { contentRoutes } from "./content.js";
import { counterRoutes } from "./counter.js";
import { dashboardRoutes } from "./dashboard.js";
import { hmaRoutes } from "./hma.js";
import { incidentRoutes } from "./incidents.js";
import { keyRoutes } from "./keys.js";
import { labelRoutes } from "./labels.js";
import { linkRoutes } from "./links.js";
import { measureRoutes } from "./measure.js";
import { memberRoutes } from "./members.js";
import { orgRoutes } from "./orgs.js";
import { peopleRoutes } from "./people.js";
import { reportRoutes } from "./reports.js";
import { reviewRoutes } from "./reviews.js";
import { reviewAccountRoutes } from "./review-accounts.js";
import { ruleRoutes } from "./rules.js";
import { searchRoutes } from "./search.js";
import { sessionRoutes } from "./session.js";
import { statusRoutes } from "./status.js";
import { taxiiRoutes } from "./taxii.js";
import { webRoutes } from "./web.js";
import { webhookRoutes } from "./webhooks.js";
import { wellnessRoutes } from "./wellness.js";

export function allRoutes(s: Services): RouteDef[] {
  return [
    ...statusRoutes(s),
    ...memberRoutes(s),
    ...peopleRoutes(s),
    ...orgRoutes(s),
    ...keyRoutes(s),
    ...auditRoutes(s),
    ...bankRoutes(s),
    ...accountRoutes(s),
    ...changeRoutes(s),
    ...contentRoutes(s),
    ...ruleRoutes(s),
    ...webhookRoutes(s),
    ...measureRoutes(s),
    ...counterRoutes(s),
    ...linkRoutes(s),
    ...incidentRoutes(s),
    ...hmaRoutes(s),
    ...taxiiRoutes(s),
    // The web app and what it needs beyond the routes above.
    ...sessionRoutes(s),
    ...wellnessRoutes(s),
    ...reviewRoutes(s),
    ...reviewAccountRoutes(s),
    ...reportRoutes(s),
    ...labelRoutes(s),
    ...searchRoutes(s),
    ...dashboardRoutes(s),
    ...webRoutes(s),
  ];
}
