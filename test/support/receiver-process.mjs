// A webhook receiver in a process of its own (test/scale/incident.test.ts): an HTTP server on
// 127.0.0.1 that answers 204 and writes one JSON line per request on stdout, with the time it
// arrived (this host's clock, ms): {"ready": port} first, then {"at", "headers", "body"}.
import { Buffer } from "node:buffer";
import { createServer } from "node:http";

const server = createServer((req, res) => {
  const at = Date.now();
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    process.stdout.write(
      JSON.stringify({ at, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") }) + "\n",
    );
    res.statusCode = 204;
    res.end();
  });
});
server.listen(0, "127.0.0.1", () => process.stdout.write(JSON.stringify({ ready: server.address().port }) + "\n"));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
