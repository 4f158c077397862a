import { sqliteDatabase } from "../support/databases.js";
import { storeContract } from "./store-contract.js";

storeContract("SQLite", () => Promise.resolve(sqliteDatabase()), false);
