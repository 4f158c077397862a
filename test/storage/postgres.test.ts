import { postgresDatabase, postgresSkip } from "../support/databases.js";
import { portsContract } from "./ports-contract.js";
import { storeContract } from "./store-contract.js";

const skip = await postgresSkip();
storeContract("PostgreSQL", postgresDatabase, skip);
portsContract("PostgreSQL", postgresDatabase, skip);
