import { sqliteDatabase } from "../support/databases.js";
import { portsContract } from "./ports-contract.js";
import { storeContract } from "./store-contract.js";

storeContract("SQLite", () => Promise.resolve(sqliteDatabase()), false);
portsContract("SQLite", () => Promise.resolve(sqliteDatabase()), false);
