// Two origins besides the mock's, for the Playwright suite:
// - APP_PORT: an app page (another origin than the mock's) that lists tokens from the mock and
//   loads an image and a beacon from the third-party origin;
// - THIRD_PORT: a third party that records every request it gets, OPTIONS included, and shows
//   them at /__log?tag=... (each request is tagged with the test's session by the page).
import { createServer } from "node:http";

const appPort = Number(process.env.APP_PORT);
const thirdPort = Number(process.env.THIRD_PORT);
const thirdOrigin = `http://127.0.0.1:${thirdPort}`;

const page = `<!doctype html>
<meta charset="utf-8">
<title>tokens</title>
<ul id="tokens"></ul>
<p id="status">loading</p>
<script type="module">
  const params = new URLSearchParams(location.search);
  const mock = params.get("mock"), tag = params.get("tag");
  const image = new Image();
  image.src = "${thirdOrigin}/pixel.gif?tag=" + tag;
  document.body.append(image);
  // A third party that refuses the request (a preflight it does not allow) must not stop the page.
  await fetch("${thirdOrigin}/beacon?tag=" + tag, { method: "POST", body: "seen" }).catch(() => {});
  const response = await fetch(mock + "/v1/tokens?status=active&name=" + encodeURIComponent(params.get("name")), {
    headers: { Authorization: "Bearer " + params.get("secret") },
  });
  const body = await response.json();
  document.querySelector("#tokens").replaceChildren(...(body.data ?? []).map((t) => {
    const li = document.createElement("li");
    li.textContent = t.name;
    return li;
  }));
  document.querySelector("#status").textContent = String(response.status);
</script>`;

createServer((req, res) => {
  res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page);
}).listen(appPort, "127.0.0.1");

const seen = [];
const PIXEL = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");
createServer((req, res) => {
  const url = new URL(req.url, thirdOrigin);
  if (url.pathname === "/__log") {
    const tag = url.searchParams.get("tag");
    res.writeHead(200, { "content-type": "application/json" });
    return res.end(JSON.stringify(seen.filter((r) => r.tag === tag)));
  }
  if (seen.length < 10_000) {
    seen.push({ method: req.method, path: url.pathname, tag: url.searchParams.get("tag"), headers: req.headers });
  }
  req.resume();
  const cors = { "access-control-allow-origin": "*" };
  if (url.pathname === "/pixel.gif") return res.writeHead(200, { ...cors, "content-type": "image/gif" }).end(PIXEL);
  res.writeHead(204, cors).end();
}).listen(thirdPort, "127.0.0.1");
