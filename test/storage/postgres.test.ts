import { postgresDatabase, postgresSkip } from "../support/databases.js";
import { storeContract } from "./store-contract.js";

storeContract("PostgreSQL", postgresDatabase, await postgresSkip());
