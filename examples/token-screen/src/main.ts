// The token screen: a form of filters, the list, its pages, and one line saying which state the
// list is in (loading, empty, or why there is no list).
import { type Links, type Outcome, type Query, type Status, tokensClient } from "./api";

const MOCK_URL = import.meta.env.VITE_TOOKEN_MOCK_URL ?? "http://127.0.0.1:8080";
const CDN_URL = import.meta.env.VITE_CDN_URL ?? "";

const list = tokensClient(`${MOCK_URL}/v1`);
const form = document.querySelector<HTMLFormElement>("#filters")!;
const state = document.querySelector<HTMLParagraphElement>("#state")!;
const table = document.querySelector<HTMLTableElement>("#tokens")!;
const rows = table.querySelector("tbody")!;
const prev = document.querySelector<HTMLButtonElement>("#prev")!;
const next = document.querySelector<HTMLButtonElement>("#next")!;
const pageLabel = document.querySelector<HTMLSpanElement>("#page")!;
let links: Links = {};

if (CDN_URL) document.querySelector<HTMLImageElement>("#logo")!.src = `${CDN_URL}/logo.svg`;

function show(kind: string, text: string, spinner = false) {
  state.dataset.kind = kind;
  state.replaceChildren();
  if (spinner) {
    const wheel = document.createElement("span");
    wheel.className = "spinner";
    wheel.setAttribute("aria-hidden", "true");
    state.append(wheel);
  }
  state.append(text);
}

function render(outcome: Outcome) {
  table.hidden = outcome.kind !== "page" || outcome.tokens.length === 0;
  links = outcome.kind === "page" ? outcome.links : {};
  prev.disabled = !links.prev;
  next.disabled = !links.next;
  pageLabel.textContent = "";
  switch (outcome.kind) {
    case "page": {
      rows.replaceChildren(
        ...outcome.tokens.map((token) => {
          const row = document.createElement("tr");
          for (const text of [
            token.name,
            token.status,
            token.scopes.join(" "),
            token.expires_at ?? "never",
          ]) {
            const cell = document.createElement("td");
            cell.textContent = text;
            row.append(cell);
          }
          return row;
        }),
      );
      if (outcome.tokens.length === 0) {
        show("empty", "No tokens match these filters.");
      } else {
        show("loaded", `${outcome.total} tokens`);
        pageLabel.textContent = `Page ${outcome.page} of ${outcome.totalPages}`;
      }
      return;
    }
    case "unauthorized":
      return show("unauthorized", `The secret was refused: ${outcome.detail}`);
    case "forbidden":
      return show("forbidden", `This secret may not list tokens: ${outcome.detail}`);
    case "rate-limited":
      return show("rate-limited", `Too many requests: try again in ${outcome.retryAfterSecs} s.`);
    case "error":
      return show(
        "error",
        outcome.status === 503
          ? "The service is unavailable; try again shortly."
          : `Something went wrong (${outcome.status}).`,
      );
  }
}

async function load(query: Query) {
  const secret = String(new FormData(form).get("secret") ?? "");
  show("loading", "Loading tokens…", true);
  rows.replaceChildren();
  table.hidden = true;
  prev.disabled = next.disabled = true;
  try {
    render(await list(secret, query));
  } catch {
    show("error", "The service cannot be reached.");
  }
}

function queryOfForm(): Query {
  const fields = new FormData(form);
  const query: Query = { per_page: Number(fields.get("per_page")) };
  const status = String(fields.get("status") ?? "");
  if (status) query.status = status as Status;
  const name = String(fields.get("name") ?? "");
  if (name) query.name = name;
  return query;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  void load(queryOfForm());
});
prev.addEventListener("click", () => links.prev && void load(links.prev));
next.addEventListener("click", () => links.next && void load(links.next));
