/**
 * A child process for the durability test: writes signals one transaction at a time and
 * prints "ack VALUE" after each commit, until it is killed.
 */
import { KyselyStore } from "../../src/storage/kysely-store.js";

const [url, bankId] = process.argv.slice(2);
const store = await KyselyStore.open(url!);
for (let i = 0; ; i++) {
  const value = `${process.pid.toString(16)}${i.toString(16)}`.padStart(32, "f");
  await store.upsertSignals(Number(bankId), [{ type: "md5", value }]);
  process.stdout.write(`ack ${value}\n`);
}
