/** HMA-compatible routes (filled in below). */

import type { Services } from "../../server/services.js";
import type { RouteDef } from "../route.js";

export function hmaRoutes(_s: Services): RouteDef[] {
  return [];
}
