/**
 * TLP 2.0 as STIX 2.1 marking definitions: the objects OASIS publishes with its TLP 2.0
 * extension (cti-stix-common-objects, extension-definition-specifications/tlp-2.0), ids and all,
 * so that every STIX tool recognises them.
 */

import type { Tlp } from "../../core/model.js";

export const TLP2_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

const IDS: Readonly<Record<Tlp, string>> = {
  CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
  GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
  AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
  "AMBER+STRICT": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
  RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
};

export function tlpMarkingId(tlp: Tlp): string {
  return IDS[tlp];
}

/** The marking a STIX object carries, if it is one of TLP 2.0's. */
export function tlpOfMarking(id: string): Tlp | undefined {
  return (Object.keys(IDS) as Tlp[]).find((t) => IDS[t] === id);
}

export function tlpMarkingDefinition(tlp: Tlp): Record<string, unknown> {
  return {
    type: "marking-definition",
    spec_version: "2.1",
    id: IDS[tlp],
    created: "2022-10-01T00:00:00.000Z",
    name: `TLP:${tlp}`,
    extensions: {
      [TLP2_EXTENSION_ID]: { extension_type: "property-extension", tlp_2_0: tlp.toLowerCase() },
    },
  };
}
