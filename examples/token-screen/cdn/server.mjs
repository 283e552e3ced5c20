// A stand-in for a CDN on an origin of its own: serves /logo.svg and records every request it
// receives (method, path, headers), preflights included. GET /__log answers the record as JSON
// and is itself left out of it. Usage: node cdn/server.mjs PORT
import { createServer } from "node:http";

const port = Number(process.argv[2] ?? process.env.CDN_PORT);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error("usage: node cdn/server.mjs PORT (1 to 65535)");
  process.exit(2);
}
// Bounded: the oldest entries go first past this many.
const MAX_ENTRIES = 10_000;
const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32">
<circle cx="16" cy="16" r="14" fill="#2a6"/><text x="16" y="21" font-size="14" text-anchor="middle" fill="#fff">T</text></svg>`;
const seen = [];

const server = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/__log") {
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify(seen));
    return;
  }
  seen.push({ method: req.method, url: req.url, headers: req.headers });
  if (seen.length > MAX_ENTRIES) seen.shift();
  if (req.method === "GET" && req.url.split("?")[0] === "/logo.svg") {
    res.writeHead(200, { "content-type": "image/svg+xml", "cache-control": "no-store" });
    res.end(LOGO);
    return;
  }
  res.writeHead(404, { "content-type": "text/plain" });
  res.end("not found\n");
});
server.listen(port, "127.0.0.1");
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
